// SPDX-License-Identifier: MIT
#include "fakemodelserver.h"

#include "fakemessagestream.h"
#include "httprequest.h"
#include "jsonreader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace hive::test {

namespace {

const QString AnyAgent(FakeModelScript::AnyAgent);

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 529:
        return "Overloaded";
    default:
        return "Error";
    }
}

QString answerName(FakeModelServer::Answer answer)
{
    switch (answer) {
    case FakeModelServer::Answer::Step:
        return QStringLiteral("step");
    case FakeModelServer::Answer::Compaction:
        return QStringLiteral("compaction");
    case FakeModelServer::Answer::Exhausted:
        return QStringLiteral("exhausted");
    case FakeModelServer::Answer::NotFound:
        return QStringLiteral("not_found");
    case FakeModelServer::Answer::BadRequest:
        return QStringLiteral("bad_request");
    }
    return {};
}

} // namespace

QJsonObject FakeModelServer::Request::toJson() const
{
    QJsonObject shownHeaders = headers;
    for (const QString &secret : {QStringLiteral("x-api-key"), QStringLiteral("authorization")}) {
        if (shownHeaders.contains(secret))
            shownHeaders.insert(secret, QStringLiteral("<redacted>"));
    }
    QJsonObject json{{QStringLiteral("agent"), agent},
                     {QStringLiteral("method"), QString::fromLatin1(method)},
                     {QStringLiteral("target"), QString::fromLatin1(target)},
                     {QStringLiteral("headers"), shownHeaders},
                     {QStringLiteral("body"), body},
                     {QStringLiteral("time"), toWireTime(time)},
                     {QStringLiteral("answer"), answerName(answer)},
                     {QStringLiteral("step"), step},
                     {QStringLiteral("status"), status}};
    if (!error.isEmpty())
        json.insert(QStringLiteral("error"), error);
    return json;
}

FakeModelServer::FakeModelServer(QObject *parent) : QObject(parent), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &FakeModelServer::accept);
}

FakeModelServer::~FakeModelServer()
{
    // The sockets go first, cut off from this object: their destructors may still emit signals.
    const QList<QTcpSocket *> sockets = m_connections.keys();
    m_connections.clear();
    for (QTcpSocket *socket : sockets) {
        socket->disconnect(this);
        delete socket;
    }
}

Result<void> FakeModelServer::listen(quint16 port)
{
    if (!m_server->listen(QHostAddress::LocalHost, port))
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(port).arg(m_server->errorString()));
    return {};
}

quint16 FakeModelServer::port() const
{
    return m_server->serverPort();
}

QString FakeModelServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

Result<void> FakeModelServer::setScript(const QString &agent, const QJsonArray &steps)
{
    return m_script.set(agent, steps);
}

Result<void> FakeModelServer::loadScript(const QJsonObject &document)
{
    return m_script.load(document);
}

Result<void> FakeModelServer::loadScriptFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read script %1: %2").arg(path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return fail(
            ErrorCode::Config,
            QStringLiteral("script %1 is not JSON: %2 at offset %3").arg(path, error.errorString()).arg(error.offset));
    if (!document.isObject())
        return fail(ErrorCode::Config, QStringLiteral("script %1 must hold a JSON object").arg(path));
    auto loaded = loadScript(document.object());
    if (!loaded)
        return fail(loaded.error().wrapped(QStringLiteral("script %1").arg(path)));
    return {};
}

void FakeModelServer::setCompactionSummary(const QString &summary)
{
    m_script.setCompactionSummary(summary);
}

QList<FakeModelServer::Request> FakeModelServer::requests(const QString &agent) const
{
    QList<Request> list;
    for (const int index : m_requests.value(agent))
        list << m_all.at(index);
    return list;
}

FakeModelServer::Request FakeModelServer::request(const QString &agent, int index) const
{
    return m_all.value(m_requests.value(agent).value(index, -1));
}

int FakeModelServer::requestCount(const QString &agent) const
{
    return int(m_requests.value(agent).size());
}

int FakeModelServer::compactions(const QString &agent) const
{
    return m_script.compactions(agent);
}

int FakeModelServer::stepsLeft(const QString &agent) const
{
    return m_script.stepsLeft(agent);
}

QString FakeModelServer::lastUserText(const QJsonObject &body)
{
    return FakeModelScript::lastUserTexts(body).join(QLatin1Char('\n'));
}

QString FakeModelServer::nextId(const char *prefix)
{
    return QString::fromLatin1(prefix) + QString::number(++m_counters[QByteArray(prefix)]);
}

void FakeModelServer::accept()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        m_connections.insert(socket, Connection{});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_connections.remove(socket);
            socket->deleteLater();
        });
    }
}

void FakeModelServer::readFrom(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    it->buffer += socket->readAll();
    process(socket);
}

void FakeModelServer::process(QTcpSocket *socket)
{
    for (;;) {
        auto it = m_connections.find(socket);
        if (it == m_connections.end() || it->busy || it->closing)
            return;
        HttpRequest request;
        QString error;
        switch (HttpRequest::take(it->buffer, request, error)) {
        case HttpRequest::Parse::Incomplete:
            return;
        case HttpRequest::Parse::Malformed: {
            // The framing is lost: answer, then close.
            it->buffer.clear();
            Request rec;
            rec.agent = QString::fromUtf8(request.header("x-fake-agent")).trimmed();
            if (rec.agent.isEmpty())
                rec.agent = AnyAgent;
            rec.method = request.method;
            rec.target = request.target;
            rec.time = QDateTime::currentDateTimeUtc();
            rec.answer = Answer::BadRequest;
            rec.status = 400;
            rec.error = error;
            const int index = record(rec);
            send(socket, 400, {{"content-type", "application/json"}},
                 FakeMessageStream::errorBody(QStringLiteral("invalid_request_error"), error), false);
            Q_EMIT requestServed(rec.agent, index);
            return;
        }
        case HttpRequest::Parse::Complete:
            handle(socket, request);
            break;
        }
    }
}

void FakeModelServer::handle(QTcpSocket *socket, const HttpRequest &request)
{
    Request rec;
    rec.agent = QString::fromUtf8(request.header("x-fake-agent")).trimmed();
    if (rec.agent.isEmpty())
        rec.agent = AnyAgent;
    rec.method = request.method;
    rec.target = request.target;
    rec.time = QDateTime::currentDateTimeUtc();
    for (const auto &[name, value] : request.headers) {
        const QString key = QString::fromLatin1(name);
        const QString previous = rec.headers.value(key).toString();
        rec.headers.insert(key, previous.isEmpty() ? QString::fromUtf8(value)
                                                   : previous + QStringLiteral(", ") + QString::fromUtf8(value));
    }
    const bool keepAlive = request.keepAlive();
    if (request.method == "POST" && request.path() == "/v1/messages") {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
        if (parseError.error == QJsonParseError::NoError && document.isObject()) {
            rec.body = document.object();
            answerMessages(socket, rec, keepAlive);
            return;
        }
        rec.answer = Answer::BadRequest;
        rec.status = 400;
        rec.error = parseError.error != QJsonParseError::NoError
                        ? QStringLiteral("request body is not JSON: %1 at offset %2")
                              .arg(parseError.errorString())
                              .arg(parseError.offset)
                        : QStringLiteral("request body is not a JSON object");
        const int index = record(rec);
        send(socket, 400, {{"content-type", "application/json"}},
             FakeMessageStream::errorBody(QStringLiteral("invalid_request_error"), rec.error), keepAlive);
        Q_EMIT requestServed(rec.agent, index);
        return;
    }
    rec.answer = Answer::NotFound;
    rec.status = 404;
    const int index = record(rec);
    send(socket, 404, {{"content-type", "application/json"}},
         FakeMessageStream::errorBody(QStringLiteral("not_found_error"), QStringLiteral("Not found: %1 %2")
                                                                             .arg(QString::fromLatin1(request.method),
                                                                                  QString::fromLatin1(request.target))),
         keepAlive, request.method == "HEAD");
    Q_EMIT requestServed(rec.agent, index);
}

void FakeModelServer::answerMessages(QTcpSocket *socket, Request &rec, bool keepAlive)
{
    const FakeModelScript::Decision decision = m_script.next(rec.agent, rec.body);
    switch (decision.kind) {
    case FakeModelScript::Decision::Kind::Step:
        rec.answer = Answer::Step;
        break;
    case FakeModelScript::Decision::Kind::Compaction:
        rec.answer = Answer::Compaction;
        break;
    case FakeModelScript::Decision::Kind::Exhausted:
        rec.answer = Answer::Exhausted;
        break;
    }
    rec.step = decision.stepIndex;
    if (!decision.failure.isEmpty())
        m_failures << decision.failure;
    const FakeModelStep &step = decision.step;
    const QString model = rec.body.value(QLatin1String("model")).toString();
    switch (step.kind) {
    case FakeModelStep::Kind::Hang: {
        m_connections[socket].busy = true; // for good: only the client's disconnect ends it
        const int index = record(rec);
        Q_EMIT requestServed(rec.agent, index);
        return;
    }
    case FakeModelStep::Kind::Error: {
        rec.status = step.errorStatus;
        const int index = record(rec);
        QList<std::pair<QByteArray, QByteArray>> headers{{"content-type", "application/json"}};
        if (step.retryAfterSeconds >= 0)
            headers.append({"retry-after", QByteArray::number(step.retryAfterSeconds)});
        const QByteArray body = FakeMessageStream::errorBody(step.errorType, step.errorMessage);
        const int status = step.errorStatus;
        later(
            socket, step.delayMs,
            [this, socket, status, headers, body, keepAlive] { send(socket, status, headers, body, keepAlive); },
            rec.agent, index);
        return;
    }
    case FakeModelStep::Kind::Reply: {
        rec.status = 200;
        const int index = record(rec);
        const QList<QByteArray> frames =
            FakeMessageStream::reply(step, model, nextId("msg_fake_"), [this] { return nextId("toolu_fake_"); });
        later(
            socket, step.delayMs, [this, socket, frames, keepAlive] { sendStream(socket, frames, keepAlive); },
            rec.agent, index);
        return;
    }
    }
}

int FakeModelServer::record(const Request &request)
{
    m_all << request;
    QList<int> &indexes = m_requests[request.agent];
    indexes << int(m_all.size() - 1);
    return int(indexes.size() - 1);
}

void FakeModelServer::later(QTcpSocket *socket, int delayMs, std::function<void()> write, const QString &agent,
                            int index)
{
    if (delayMs <= 0) {
        write();
        Q_EMIT requestServed(agent, index);
        return;
    }
    m_connections[socket].busy = true;
    // The socket is the timer's context: a client that gives up first cancels the answer with its connection.
    QTimer::singleShot(delayMs, socket, [this, socket, write = std::move(write), agent, index] {
        write();
        const auto it = m_connections.find(socket);
        if (it != m_connections.end())
            it->busy = false;
        Q_EMIT requestServed(agent, index);
        process(socket);
    });
}

void FakeModelServer::send(QTcpSocket *socket, int status, const QList<std::pair<QByteArray, QByteArray>> &headers,
                           const QByteArray &body, bool keepAlive, bool headOnly)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers)
        response += name + ": " + value + "\r\n";
    response += "request-id: " + nextId("req_fake_").toLatin1() + "\r\n";
    response += "content-length: " + QByteArray::number(body.size()) + "\r\n";
    response += keepAlive ? "connection: keep-alive\r\n\r\n" : "connection: close\r\n\r\n";
    if (!headOnly)
        response += body;
    socket->write(response);
    if (!keepAlive) {
        const auto it = m_connections.find(socket);
        if (it != m_connections.end())
            it->closing = true;
        socket->disconnectFromHost();
    }
}

void FakeModelServer::sendStream(QTcpSocket *socket, const QList<QByteArray> &frames, bool keepAlive)
{
    QByteArray response = "HTTP/1.1 200 OK\r\n"
                          "content-type: text/event-stream; charset=utf-8\r\n"
                          "cache-control: no-cache\r\n"
                          "transfer-encoding: chunked\r\n";
    response += "request-id: " + nextId("req_fake_").toLatin1() + "\r\n";
    response += keepAlive ? "connection: keep-alive\r\n\r\n" : "connection: close\r\n\r\n";
    // One chunk per event, as a streaming server flushes them.
    for (const QByteArray &frame : frames)
        response += QByteArray::number(frame.size(), 16) + "\r\n" + frame + "\r\n";
    response += "0\r\n\r\n";
    socket->write(response);
    if (!keepAlive) {
        const auto it = m_connections.find(socket);
        if (it != m_connections.end())
            it->closing = true;
        socket->disconnectFromHost();
    }
}

} // namespace hive::test
