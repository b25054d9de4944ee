// SPDX-License-Identifier: MIT
#include "idlesession.h"

#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"

#include <QTimer>

#include <cstdio>

namespace hive::harness {

namespace {
constexpr int ConnectTimeoutMs = 5000;
constexpr int RetryMs = 1000;
} // namespace

IdleSession::IdleSession(QString socketPath, QObject *parent) : QObject(parent), m_socketPath(std::move(socketPath))
{
    m_retry = new QTimer(this);
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &IdleSession::connectNow);
}

IdleSession::~IdleSession() = default;

void IdleSession::start()
{
    connectNow();
}

void IdleSession::connectNow()
{
    m_client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_socketPath));
    if (auto opened = m_client->openAndWait(ConnectTimeoutMs); !opened) {
        if (!m_reportedWaiting) {
            std::fprintf(stderr, "hive-harness: cannot reach the engine at %s (%s); retrying every second\n",
                         qPrintable(m_socketPath), qPrintable(opened.error().message));
            m_reportedWaiting = true;
        }
        retryLater();
        return;
    }
    auto self = m_client->callAndWait<protocol::WhoamiMethod>(protocol::WhoamiParams{}, ConnectTimeoutMs);
    if (!self) {
        std::fprintf(stderr, "hive-harness: whoami failed: %s; retrying\n", qPrintable(self.error().message));
        retryLater();
        return;
    }
    m_reportedWaiting = false;
    std::printf("hive-harness: connected to engine %s as %s (%s); idle until stopped\n",
                qPrintable(self->engineVersion), qPrintable(self->name), qPrintable(self->role));
    std::fflush(stdout);
    connect(m_client.get(), &client::RpcClient::closed, this, [this](const Error &reason) {
        std::fprintf(stderr, "hive-harness: the engine closed the connection (%s); reconnecting\n",
                     qPrintable(reason.message));
        retryLater();
    });
}

void IdleSession::retryLater()
{
    // Not deleted here: this may run inside the client's own signal.
    if (m_client)
        m_client.release()->deleteLater();
    m_retry->start(RetryMs);
}

} // namespace hive::harness
