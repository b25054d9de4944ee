// SPDX-License-Identifier: MIT
#include "terminals.h"

#include "jsonreader.h"

#include <QtEndian>

namespace hive::protocol {

namespace {

void checkSize(JsonReader &r, int cols, int rows)
{
    r.checkRange("cols", cols, TerminalMinCols, TerminalMaxCols);
    r.checkRange("rows", rows, TerminalMinRows, TerminalMaxRows);
}

void checkTerminalId(JsonReader &r, qint64 terminal)
{
    r.checkRange("terminal", terminal, 1, std::numeric_limits<quint32>::max());
}

QString base64(const QByteArray &data)
{
    return QString::fromLatin1(data.toBase64());
}

} // namespace

QJsonObject TerminalOpenParams::toJson() const
{
    return {{QStringLiteral("agent"), agent}, {QStringLiteral("cols"), cols}, {QStringLiteral("rows"), rows}};
}

Result<TerminalOpenParams> TerminalOpenParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalOpenParams p;
    r.required("agent", p.agent);
    r.optional("cols", p.cols);
    r.optional("rows", p.rows);
    checkSize(r, p.cols, p.rows);
    return r.finish(std::move(p));
}

QJsonObject TerminalOpenResult::toJson() const
{
    return {{QStringLiteral("terminal"), terminal},
            {QStringLiteral("agent"), agent},
            {QStringLiteral("cols"), cols},
            {QStringLiteral("rows"), rows},
            {QStringLiteral("transport"), transport}};
}

Result<TerminalOpenResult> TerminalOpenResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalOpenResult p;
    r.required("terminal", p.terminal);
    r.required("agent", p.agent);
    r.required("cols", p.cols);
    r.required("rows", p.rows);
    r.required("transport", p.transport);
    return r.finish(std::move(p));
}

QJsonObject TerminalInputParams::toJson() const
{
    return {{QStringLiteral("terminal"), terminal}, {QStringLiteral("data"), base64(data)}};
}

Result<TerminalInputParams> TerminalInputParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalInputParams p;
    r.required("terminal", p.terminal);
    r.required("data", p.data);
    checkTerminalId(r, p.terminal);
    if (r.ok() && p.data.size() > TerminalMaxInputBytes) {
        r.invalid("data", QStringLiteral("must be at most %1 bytes, got %2: send it in pieces")
                              .arg(TerminalMaxInputBytes)
                              .arg(p.data.size()));
    }
    return r.finish(std::move(p));
}

QJsonObject TerminalInputResult::toJson() const
{
    return {{QStringLiteral("bytes"), bytes}};
}

Result<TerminalInputResult> TerminalInputResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalInputResult p;
    r.required("bytes", p.bytes);
    return r.finish(std::move(p));
}

QJsonObject TerminalResizeParams::toJson() const
{
    return {{QStringLiteral("terminal"), terminal}, {QStringLiteral("cols"), cols}, {QStringLiteral("rows"), rows}};
}

Result<TerminalResizeParams> TerminalResizeParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalResizeParams p;
    r.required("terminal", p.terminal);
    r.required("cols", p.cols);
    r.required("rows", p.rows);
    checkTerminalId(r, p.terminal);
    checkSize(r, p.cols, p.rows);
    return r.finish(std::move(p));
}

QJsonObject TerminalCloseParams::toJson() const
{
    return {{QStringLiteral("terminal"), terminal}};
}

Result<TerminalCloseParams> TerminalCloseParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalCloseParams p;
    r.required("terminal", p.terminal);
    checkTerminalId(r, p.terminal);
    return r.finish(std::move(p));
}

QJsonObject TerminalRef::toJson() const
{
    return {{QStringLiteral("terminal"), terminal}};
}

Result<TerminalRef> TerminalRef::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalRef p;
    r.required("terminal", p.terminal);
    return r.finish(std::move(p));
}

QJsonObject TerminalOutput::toJson() const
{
    return {{QStringLiteral("terminal"), terminal}, {QStringLiteral("data"), base64(data)}};
}

Result<TerminalOutput> TerminalOutput::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalOutput p;
    r.required("terminal", p.terminal);
    r.required("data", p.data);
    return r.finish(std::move(p));
}

QJsonObject TerminalClosed::toJson() const
{
    QJsonObject json{{QStringLiteral("terminal"), terminal},
                     {QStringLiteral("agent"), agent},
                     {QStringLiteral("reason"), reason},
                     {QStringLiteral("duration_ms"), durationMs}};
    if (exitCode)
        json.insert(QStringLiteral("exit_code"), *exitCode);
    if (signal)
        json.insert(QStringLiteral("signal"), *signal);
    return json;
}

Result<TerminalClosed> TerminalClosed::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TerminalClosed p;
    r.required("terminal", p.terminal);
    r.required("agent", p.agent);
    r.required("reason", p.reason);
    r.optional("exit_code", p.exitCode);
    r.optional("signal", p.signal);
    r.required("duration_ms", p.durationMs);
    return r.finish(std::move(p));
}

QByteArray TerminalFrame::encode() const
{
    QByteArray frame(HeaderSize + data.size(), Qt::Uninitialized);
    frame[0] = static_cast<char>(kind);
    qToBigEndian(terminal, frame.data() + 1);
    std::copy(data.cbegin(), data.cend(), frame.begin() + HeaderSize);
    return frame;
}

Result<TerminalFrame> TerminalFrame::decode(const QByteArray &frame)
{
    if (frame.size() < HeaderSize) {
        return fail(ErrorCode::InvalidRequest,
                    QStringLiteral("binary frame of %1 bytes is shorter than the %2-byte terminal header (kind byte, "
                                   "terminal id as 4 bytes big-endian)")
                        .arg(frame.size())
                        .arg(HeaderSize));
    }
    const auto kind = static_cast<quint8>(frame[0]);
    if (kind != static_cast<quint8>(Kind::Output) && kind != static_cast<quint8>(Kind::Input)) {
        return fail(ErrorCode::InvalidRequest,
                    QStringLiteral("binary frame of unknown kind %1: 2 is terminal input").arg(kind));
    }
    return TerminalFrame{static_cast<Kind>(kind), qFromBigEndian<quint32>(frame.constData() + 1),
                         frame.mid(HeaderSize)};
}

} // namespace hive::protocol
