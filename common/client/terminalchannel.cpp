// SPDX-License-Identifier: MIT
#include "terminalchannel.h"

#include "protocol/methods.h"
#include "rpcclient.h"

#include <QEventLoop>
#include <QTimer>

namespace hive::client {

TerminalChannel::TerminalChannel(RpcClient &client, QObject *parent) : QObject(parent), m_client(client)
{
    connect(&m_client, &RpcClient::notificationReceived, this, &TerminalChannel::onNotification);
    connect(&m_client.peer(), &Peer::binaryFrameReceived, this, &TerminalChannel::onBinary);
    connect(&m_client, &RpcClient::unsolicitedError, this, [this](const Error &refused) {
        if (isOpen())
            Q_EMIT error(refused);
    });
    connect(&m_client, &RpcClient::closed, this, [this](const Error &reason) {
        if (!isOpen())
            return;
        m_ended = true;
        Q_EMIT error(reason);
    });
}

TerminalChannel::~TerminalChannel() = default;

void TerminalChannel::open(const protocol::TerminalOpenParams &params,
                           std::function<void(const Result<protocol::TerminalOpenResult> &)> done)
{
    QPointer<TerminalChannel> self(this);
    m_client.call<protocol::TerminalOpenMethod>(
        params, [self, done = std::move(done)](const Result<protocol::TerminalOpenResult> &opened) {
            if (self && opened) {
                self->m_id = opened->terminal;
                self->m_binary = opened->transport == QLatin1String(protocol::terminaltransports::Binary) &&
                                 self->m_client.peer().carriesBinary();
            }
            done(opened);
        });
}

Result<protocol::TerminalOpenResult> TerminalChannel::openAndWait(const protocol::TerminalOpenParams &params,
                                                                  int timeoutMs)
{
    std::optional<Result<protocol::TerminalOpenResult>> out;
    QEventLoop loop;
    open(params, [&out, &loop](const Result<protocol::TerminalOpenResult> &opened) {
        out = opened;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!out)
        loop.exec();
    if (!out)
        return fail(ErrorCode::Unavailable, QStringLiteral("terminal_open got no answer in %1 ms").arg(timeoutMs));
    return *out;
}

void TerminalChannel::write(const QByteArray &data)
{
    if (!isOpen())
        return;
    for (qsizetype at = 0; at < data.size(); at += protocol::TerminalMaxInputBytes) {
        const QByteArray piece = data.mid(at, protocol::TerminalMaxInputBytes);
        if (m_binary) {
            m_client.peer().sendBinary(
                protocol::TerminalFrame{protocol::TerminalFrame::Kind::Input, static_cast<quint32>(m_id), piece}
                    .encode());
        } else {
            QPointer<TerminalChannel> self(this);
            m_client.call<protocol::TerminalInputMethod>(protocol::TerminalInputParams{m_id, piece},
                                                         [self](const Result<protocol::TerminalInputResult> &sent) {
                                                             if (self && !sent)
                                                                 Q_EMIT self->error(sent.error());
                                                         });
        }
    }
}

void TerminalChannel::resize(int cols, int rows)
{
    if (!isOpen())
        return;
    QPointer<TerminalChannel> self(this);
    m_client.call<protocol::TerminalResizeMethod>(protocol::TerminalResizeParams{m_id, cols, rows},
                                                  [self](const Result<protocol::TerminalRef> &resized) {
                                                      if (self && !resized)
                                                          Q_EMIT self->error(resized.error());
                                                  });
}

void TerminalChannel::close()
{
    if (!isOpen())
        return;
    QPointer<TerminalChannel> self(this);
    m_client.call<protocol::TerminalCloseMethod>(protocol::TerminalCloseParams{m_id},
                                                 [self](const Result<protocol::TerminalRef> &closing) {
                                                     if (self && !closing)
                                                         Q_EMIT self->error(closing.error());
                                                 });
}

void TerminalChannel::onNotification(const QString &method, const QJsonObject &params)
{
    if (m_id == 0 || params.value(QStringLiteral("terminal")).toInteger() != m_id)
        return;
    if (method == QLatin1String(protocol::TerminalOutputNotification)) {
        auto out = protocol::TerminalOutput::fromJson(params);
        if (out)
            Q_EMIT output(out->data);
        else
            Q_EMIT error(out.error());
    } else if (method == QLatin1String(protocol::TerminalClosedNotification)) {
        auto ended = protocol::TerminalClosed::fromJson(params);
        m_ended = true;
        if (ended)
            Q_EMIT closed(*ended);
        else
            Q_EMIT error(ended.error());
    }
}

void TerminalChannel::onBinary(const QByteArray &frame)
{
    auto decoded = protocol::TerminalFrame::decode(frame);
    if (!decoded || decoded->kind != protocol::TerminalFrame::Kind::Output || decoded->terminal != m_id)
        return; // another channel's, or not a terminal frame at all
    Q_EMIT output(decoded->data);
}

} // namespace hive::client
