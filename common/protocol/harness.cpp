// SPDX-License-Identifier: MIT
#include "harness.h"

#include "jsonreader.h"

#include <QJsonDocument>

#include <array>
#include <limits>

namespace hive::protocol {

namespace {

bool oneOf(const QString &value, const auto &names)
{
    for (const char *name : names) {
        if (value == QLatin1String(name))
            return true;
    }
    return false;
}

constexpr std::array HarnessStates{harnessstates::Idle,       harnessstates::Turn,       harnessstates::RateLimited,
                                   harnessstates::NeedsLogin, harnessstates::OverBudget, harnessstates::Compacting};
constexpr std::array TurnEventKinds{turneventkinds::Started, turneventkinds::Text, turneventkinds::ToolCall,
                                    turneventkinds::ToolResult, turneventkinds::Ended};

QString joined(const auto &names)
{
    QStringList list;
    for (const char *name : names)
        list << QString::fromLatin1(name);
    return list.join(QStringLiteral(", "));
}

/// Non-empty and at most `max` characters, checked while the reader is still fine.
void checkText(JsonReader &r, const char *key, const QString &value, int max)
{
    if (!r.ok())
        return;
    if (value.isEmpty())
        r.invalid(key, QStringLiteral("must not be empty"));
    else if (value.size() > max)
        r.invalid(key, QStringLiteral("must be at most %1 characters, got %2").arg(max).arg(value.size()));
}

} // namespace

bool isHarnessState(const QString &state)
{
    return oneOf(state, HarnessStates);
}

bool isTurnEventKind(const QString &kind)
{
    return oneOf(kind, TurnEventKinds);
}

std::optional<QString> modelNameProblem(const QString &model)
{
    if (model.isEmpty())
        return QStringLiteral("must not be empty");
    if (model.size() > ModelNameMaxChars)
        return QStringLiteral("must be at most %1 characters, got %2").arg(ModelNameMaxChars).arg(model.size());
    for (qsizetype i = 0; i < model.size(); ++i) {
        const QChar c = model.at(i);
        if (c.isSpace() || c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return QStringLiteral("must not contain whitespace or control characters (U+%1 at character %2)")
                .arg(QString::number(c.unicode(), 16).toUpper().rightJustified(4, QLatin1Char('0')))
                .arg(i);
    }
    return std::nullopt;
}

QJsonObject HarnessAttachParams::toJson() const
{
    return {{QStringLiteral("pid"), pid}, {QStringLiteral("version"), version}};
}

Result<HarnessAttachParams> HarnessAttachParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    HarnessAttachParams p;
    r.required("pid", p.pid);
    r.required("version", p.version);
    r.checkRange("pid", p.pid, 1, std::numeric_limits<int>::max());
    checkText(r, "version", p.version, HarnessVersionMaxChars);
    return r.finish(std::move(p));
}

QJsonObject HarnessAttachResult::toJson() const
{
    return {{QStringLiteral("agent"), agent}, {QStringLiteral("kind"), kind}};
}

Result<HarnessAttachResult> HarnessAttachResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    HarnessAttachResult p;
    r.required("agent", p.agent);
    r.required("kind", p.kind);
    return r.finish(std::move(p));
}

QJsonObject HarnessStateParams::toJson() const
{
    QJsonObject json{{QStringLiteral("state"), state}};
    if (detail)
        json.insert(QStringLiteral("detail"), *detail);
    if (until)
        json.insert(QStringLiteral("until"), toWireTime(*until));
    if (turn)
        json.insert(QStringLiteral("turn"), *turn);
    return json;
}

Result<HarnessStateParams> HarnessStateParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    HarnessStateParams p;
    r.required("state", p.state);
    r.optional("detail", p.detail);
    r.optional("until", p.until);
    r.optional("turn", p.turn);
    if (r.ok() && !isHarnessState(p.state))
        r.invalid("state", QStringLiteral("must be one of %1, got '%2'").arg(joined(HarnessStates), p.state));
    if (r.ok() && p.detail && p.detail->size() > HarnessDetailMaxChars)
        r.invalid(
            "detail",
            QStringLiteral("must be at most %1 characters, got %2").arg(HarnessDetailMaxChars).arg(p.detail->size()));
    if (p.turn)
        checkText(r, "turn", *p.turn, TurnIdMaxChars);
    return r.finish(std::move(p));
}

Result<HarnessStateResult> HarnessStateResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(HarnessStateResult{});
}

QJsonObject TurnEventParams::toJson() const
{
    return {{QStringLiteral("turn"), turn}, {QStringLiteral("kind"), kind}, {QStringLiteral("data"), data}};
}

Result<TurnEventParams> TurnEventParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TurnEventParams p;
    r.required("turn", p.turn);
    r.required("kind", p.kind);
    r.required("data", p.data);
    checkText(r, "turn", p.turn, TurnIdMaxChars);
    if (r.ok() && !isTurnEventKind(p.kind))
        r.invalid("kind", QStringLiteral("must be one of %1, got '%2'").arg(joined(TurnEventKinds), p.kind));
    if (r.ok()) {
        // The event goes to every subscribed console and into the event history: a cap keeps one
        // chatty tool result from filling either. The harness truncates before it sends.
        const qsizetype bytes = QJsonDocument(p.data).toJson(QJsonDocument::Compact).size();
        if (bytes > TurnEventMaxDataBytes)
            r.invalid("data",
                      QStringLiteral("must be at most %1 bytes of JSON, got %2").arg(TurnEventMaxDataBytes).arg(bytes));
    }
    return r.finish(std::move(p));
}

Result<TurnEventResult> TurnEventResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(TurnEventResult{});
}

QJsonObject HarnessStatus::toJson() const
{
    QJsonObject json{{QStringLiteral("state"), state}, {QStringLiteral("since"), toWireTime(since)}};
    if (detail)
        json.insert(QStringLiteral("detail"), *detail);
    if (until)
        json.insert(QStringLiteral("until"), toWireTime(*until));
    if (turn)
        json.insert(QStringLiteral("turn"), *turn);
    return json;
}

Result<HarnessStatus> HarnessStatus::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    HarnessStatus p;
    r.required("state", p.state);
    r.required("since", p.since);
    r.optional("detail", p.detail);
    r.optional("until", p.until);
    r.optional("turn", p.turn);
    return r.finish(std::move(p));
}

QJsonObject AgentCancelTurnParams::toJson() const
{
    return {{QStringLiteral("name"), name}};
}

Result<AgentCancelTurnParams> AgentCancelTurnParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentCancelTurnParams p;
    r.required("name", p.name);
    return r.finish(std::move(p));
}

QJsonObject AgentCancelTurnResult::toJson() const
{
    return {{QStringLiteral("cancelled"), cancelled}};
}

Result<AgentCancelTurnResult> AgentCancelTurnResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentCancelTurnResult p;
    r.required("cancelled", p.cancelled);
    return r.finish(p);
}

QJsonObject AgentSetModelParams::toJson() const
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("model"), model ? QJsonValue(*model) : QJsonValue()}};
}

Result<AgentSetModelParams> AgentSetModelParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentSetModelParams p;
    r.required("name", p.name);
    // Required even to remove the override (null), so that removing it is said, not implied.
    QJsonValue model;
    r.required("model", model);
    if (r.ok()) {
        if (model.isString())
            p.model = model.toString();
        else if (!model.isNull())
            r.invalid("model", QStringLiteral("must be a string or null"));
    }
    if (r.ok() && p.model) {
        if (auto problem = modelNameProblem(*p.model))
            r.invalid("model", *problem);
    }
    return r.finish(std::move(p));
}

} // namespace hive::protocol
