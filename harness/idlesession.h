// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QTimer;

namespace hive::client {
class RpcClient;
}

namespace hive::harness {

/// `hive-harness idle`: the container's main process until the turn loop (`serve`) exists. It
/// connects to the agent socket, asks the engine who it is (the container is "ready" once that
/// answers), stays connected, and reconnects every second when the engine restarts. It runs no
/// agent CLI and reads no messages, so nothing is leased and left unacknowledged.
class IdleSession : public QObject
{
    Q_OBJECT
public:
    explicit IdleSession(QString socketPath, QObject *parent = nullptr);
    ~IdleSession() override;

    void start();

private:
    void connectNow();
    void retryLater();

    QString m_socketPath;
    std::unique_ptr<client::RpcClient> m_client;
    QTimer *m_retry = nullptr;
    bool m_reportedWaiting = false;
};

} // namespace hive::harness
