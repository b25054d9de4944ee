// SPDX-License-Identifier: MIT
#include "fakemodelscript.h"

#include "jsonreader.h"

#include <QJsonArray>

#include <algorithm>

namespace hive::test {

namespace {

QString shortened(const QString &text)
{
    constexpr qsizetype Max = 300;
    return text.size() <= Max ? text : text.left(Max) + QStringLiteral("...");
}

} // namespace

Result<void> FakeModelScript::set(const QString &agent, const QJsonArray &steps)
{
    auto parsed = FakeModelStep::listFromJson(steps, agent);
    if (!parsed)
        return fail(parsed.error());
    Cursor &state = cursor(agent);
    state.steps = *parsed;
    state.ownScript = true;
    state.next = 0;
    state.used = 0;
    if (agent == AnyAgent) {
        for (auto it = m_agents.begin(); it != m_agents.end(); ++it) {
            if (!it->ownScript) {
                it->steps = *parsed;
                it->next = 0;
                it->used = 0;
            }
        }
    }
    return {};
}

Result<void> FakeModelScript::load(const QJsonObject &document)
{
    QJsonObject agents;
    QString summary = m_compactionSummary;
    JsonReader r(document);
    r.required("agents", agents);
    r.optional("compaction_summary", summary);
    auto checked = r.finish(0);
    if (!checked)
        return fail(checked.error());
    QHash<QString, QList<FakeModelStep>> scripts;
    for (auto it = agents.constBegin(); it != agents.constEnd(); ++it) {
        if (!it.value().isArray())
            return fail(ErrorCode::InvalidParams, QStringLiteral("agents.%1 must be an array of steps").arg(it.key()));
        auto steps = FakeModelStep::listFromJson(it.value().toArray(), it.key());
        if (!steps)
            return fail(steps.error());
        scripts.insert(it.key(), *steps);
    }
    const QString any(AnyAgent);
    for (auto it = m_agents.begin(); it != m_agents.end(); ++it) {
        it->steps = scripts.value(any);
        it->ownScript = false;
        it->next = 0;
        it->used = 0;
    }
    for (auto it = scripts.constBegin(); it != scripts.constEnd(); ++it) {
        Cursor &state = cursor(it.key());
        state.steps = it.value();
        state.ownScript = true;
    }
    m_compactionSummary = summary;
    return {};
}

FakeModelScript::Decision FakeModelScript::next(const QString &agent, const QJsonObject &body)
{
    Cursor &state = cursor(agent);
    const QStringList texts = lastUserTexts(body);
    Decision decision;
    if (std::any_of(texts.cbegin(), texts.cend(),
                    [](const QString &text) { return text.trimmed().startsWith(CompactionMarker); })) {
        ++state.compactions;
        decision.kind = Decision::Kind::Compaction;
        decision.step =
            FakeModelStep::text(QStringLiteral("<analysis>a</analysis><summary>%1</summary>").arg(m_compactionSummary));
        return decision;
    }
    ++state.answered;
    if (state.next >= state.steps.size()) {
        decision.kind = Decision::Kind::Exhausted;
        decision.step = FakeModelStep::text(QStringLiteral("(script exhausted)"));
        decision.failure = QStringLiteral("agent '%1': script exhausted at request %2, answered \"(script exhausted)\"")
                               .arg(agent)
                               .arg(state.answered);
        return decision;
    }
    decision.stepIndex = state.next;
    decision.step = state.steps.at(state.next);
    if (++state.used >= decision.step.repeat) {
        ++state.next;
        state.used = 0;
    }
    const QString text = texts.join(QLatin1Char('\n'));
    if (!decision.step.expect.isEmpty() && !text.contains(decision.step.expect)) {
        decision.failure = QStringLiteral("agent '%1' step %2: expected \"%3\" in the last user message, got \"%4\"")
                               .arg(agent)
                               .arg(decision.stepIndex)
                               .arg(decision.step.expect, shortened(text));
    }
    return decision;
}

int FakeModelScript::stepsLeft(const QString &agent) const
{
    const auto it = m_agents.constFind(agent);
    Cursor state;
    if (it != m_agents.constEnd())
        state = *it;
    else
        state.steps = m_agents.value(QString(AnyAgent)).steps;
    int left = 0;
    for (qsizetype i = state.next; i < state.steps.size(); ++i)
        left += state.steps.at(i).repeat;
    return left - state.used;
}

QStringList FakeModelScript::lastUserTexts(const QJsonObject &body)
{
    const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
    for (qsizetype i = messages.size() - 1; i >= 0; --i) {
        const QJsonObject message = messages.at(i).toObject();
        if (message.value(QLatin1String("role")).toString() != QLatin1String("user"))
            continue;
        const QJsonValue content = message.value(QLatin1String("content"));
        if (content.isString())
            return {content.toString()};
        QStringList texts;
        for (const QJsonValue blockValue : content.toArray()) {
            const QJsonObject block = blockValue.toObject();
            const QString type = block.value(QLatin1String("type")).toString();
            if (type == QLatin1String("text")) {
                texts << block.value(QLatin1String("text")).toString();
            } else if (type == QLatin1String("tool_result")) {
                const QJsonValue result = block.value(QLatin1String("content"));
                if (result.isString())
                    texts << result.toString();
                for (const QJsonValue part : result.toArray()) {
                    if (part.toObject().value(QLatin1String("type")).toString() == QLatin1String("text"))
                        texts << part.toObject().value(QLatin1String("text")).toString();
                }
            }
        }
        return texts;
    }
    return {};
}

FakeModelScript::Cursor &FakeModelScript::cursor(const QString &agent)
{
    auto it = m_agents.find(agent);
    if (it == m_agents.end()) {
        Cursor state;
        if (agent != AnyAgent)
            state.steps = m_agents.value(QString(AnyAgent)).steps;
        it = m_agents.insert(agent, state);
    }
    return *it;
}

} // namespace hive::test
