// SPDX-License-Identifier: MIT
#include "eventscommand.h"

#include "engineconnection.h"
#include "protocol/methods.h"
#include "signalwatcher.h"
#include "tableprinter.h"
#include "terminal.h"

#include <QEventLoop>
#include <QJsonDocument>

namespace hive::ctl {

EventsCommand::EventsCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int EventsCommand::run()
{
    client::RpcClient &client = m_connection.client();
    QEventLoop loop;
    QObject context; // ends the connections below when run() returns
    qint64 printed = 0;
    bool enough = false;
    bool interrupted = false;
    std::optional<Error> lost;

    // Connected before subscribing: the replayed events follow the reply at once and may be
    // read in the same chunk as it, before the call below returns.
    QObject::connect(&client, &client::RpcClient::notificationReceived, &context,
                     [&](const QString &method, const QJsonObject &params) {
                         if (enough || method != QLatin1String(protocol::EventNotification))
                             return;
                         print(params);
                         ++printed;
                         if (m_invocation.count && printed >= *m_invocation.count) {
                             enough = true;
                             loop.quit();
                         }
                     });
    QObject::connect(&client, &client::RpcClient::closed, &context, [&](const Error &reason) {
        lost = reason;
        loop.quit();
    });
    SignalWatcher watcher(SignalWatcher::Hangup::Default);
    QObject::connect(&watcher, &SignalWatcher::terminateRequested, &context, [&] {
        interrupted = true;
        loop.quit();
    });

    protocol::EventsSubscribeParams params;
    params.sinceSeq = m_invocation.sinceSeq;
    auto subscribed = m_connection.call<protocol::EventsSubscribeMethod>(params);
    if (!subscribed) {
        const Error &error = subscribed.error();
        if (error.code == ErrorCode::ResyncRequired) {
            return m_terminal.fail(QStringLiteral("resync required: %1\n(the engine cannot replay the events after "
                                                  "--since %2; without --since, hivectl follows new events only)")
                                       .arg(error.message, QString::number(m_invocation.sinceSeq.value_or(0))),
                                   ExitCode::Refused);
        }
        return m_terminal.fail(error.message, m_connection.exitCodeFor(error));
    }

    if (!enough && !interrupted && !lost)
        loop.exec();

    if (enough || interrupted) {
        client.close();
        return toInt(ExitCode::Ok);
    }
    return m_terminal.fail(QStringLiteral("the event stream ended: %1").arg(lost->message), ExitCode::Local);
}

void EventsCommand::print(const QJsonObject &event)
{
    if (m_terminal.json()) {
        m_terminal.printJsonLine(event);
        return;
    }
    auto parsed = protocol::Event::fromJson(event);
    if (!parsed) {
        m_terminal.printLine(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
        return;
    }
    const QString data = parsed->data.isEmpty()
                             ? QString()
                             : QString::fromUtf8(QJsonDocument(parsed->data).toJson(QJsonDocument::Compact));
    m_terminal.printLine(
        QStringLiteral("%1  #%2  %3  %4")
            .arg(TablePrinter::timeCell(parsed->ts), QString::number(parsed->seq), parsed->kind.leftJustified(16), data)
            .trimmed());
}

} // namespace hive::ctl
