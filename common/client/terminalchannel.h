// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/terminals.h"
#include "result.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace hive::client {

class RpcClient;

/// One terminal of an engine, seen from a client: opens it over an RpcClient and hides the
/// transport (binary WebSocket frames, or base64 JSON on the admin socket). Output and the end
/// arrive as signals; input, resize and close go back. Used by hivectl, the console and tests.
class TerminalChannel : public QObject
{
    Q_OBJECT
public:
    /// `client` must outlive the channel.
    explicit TerminalChannel(RpcClient &client, QObject *parent = nullptr);
    ~TerminalChannel() override;

    /// terminal_open; `done` gets the result (the channel is live from then on) or the error.
    void open(const protocol::TerminalOpenParams &params,
              std::function<void(const Result<protocol::TerminalOpenResult> &)> done);
    /// Opens and waits (a nested event loop: for command-line tools and tests).
    [[nodiscard]] Result<protocol::TerminalOpenResult> openAndWait(const protocol::TerminalOpenParams &params,
                                                                   int timeoutMs);

    [[nodiscard]] qint64 id() const { return m_id; }
    [[nodiscard]] bool isOpen() const { return m_id != 0 && !m_ended; }

    /// Sends input, split into pieces of at most protocol::TerminalMaxInputBytes. Errors arrive
    /// through error().
    void write(const QByteArray &data);
    void resize(int cols, int rows);
    /// terminal_close: the shell is hung up; closed() follows.
    void close();

Q_SIGNALS:
    void output(const QByteArray &data);
    void closed(const hive::protocol::TerminalClosed &closed);
    /// A refused input, resize or close, or the connection's end.
    void error(const hive::Error &error);

private:
    void onNotification(const QString &method, const QJsonObject &params);
    void onBinary(const QByteArray &frame);

    RpcClient &m_client;
    qint64 m_id = 0;
    bool m_binary = false;
    bool m_ended = false;
};

} // namespace hive::client
