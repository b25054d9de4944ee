// SPDX-License-Identifier: MIT
#include "mcpserver.h"

#include "enginelink.h"
#include "mcptools.h"
#include "stdinreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>

#include <unistd.h>

#include <cerrno>

namespace hive::harness {

namespace {

Q_LOGGING_CATEGORY(lcMcp, "hive.mcp")

// JSON-RPC 2.0 error codes.
constexpr int ParseError = -32700;
constexpr int InvalidRequest = -32600;
constexpr int MethodNotFound = -32601;
constexpr int InvalidParams = -32602;

const QString Jsonrpc = QStringLiteral("jsonrpc");

const QString Instructions = QStringLiteral(
    "The tools of the hyperhive swarm you are an agent of. Your inbox holds messages from other agents, the "
    "operator (the human who runs the swarm) and the engine (from \"system\", with a JSON body): read it with recv. "
    "send, ask and remind return at once; answers, reminders and approval outcomes arrive later in your inbox.");

bool validId(const QJsonValue &id)
{
    if (id.isString())
        return true;
    if (!id.isDouble())
        return false;
    const double number = id.toDouble();
    return number == static_cast<double>(static_cast<qint64>(number));
}

} // namespace

const QStringList &McpServer::supportedVersions()
{
    static const QStringList versions{QStringLiteral("2025-06-18"), QStringLiteral("2025-03-26"),
                                      QStringLiteral("2024-11-05")};
    return versions;
}

McpServer::McpServer(const QString &socketPath, QObject *parent)
    : QObject(parent), m_link(new EngineLink(socketPath, this))
{
    connect(m_link, &EngineLink::identified, this, &McpServer::identified);
}

McpServer::~McpServer()
{
    if (m_reader) {
        m_reader->stop();
        m_readerThread.quit();
        m_readerThread.wait();
        delete m_reader;
    }
}

void McpServer::start()
{
    m_reader = new StdinReader(STDIN_FILENO, MaxLineBytes);
    m_reader->moveToThread(&m_readerThread);
    connect(&m_readerThread, &QThread::started, m_reader, &StdinReader::run);
    connect(m_reader, &StdinReader::lineRead, this, &McpServer::handleLine);
    connect(m_reader, &StdinReader::lineTooLong, this, [this](qsizetype bytes) {
        qCWarning(lcMcp) << "skipped a line of" << bytes << "bytes";
        replyError(QJsonValue::Null, InvalidRequest,
                   QStringLiteral("Invalid Request: a line of %1 bytes exceeds the limit of %2 bytes; it was skipped")
                       .arg(bytes)
                       .arg(MaxLineBytes));
    });
    connect(m_reader, &StdinReader::ended, this, [this](const QString &error) {
        if (!error.isEmpty())
            qCCritical(lcMcp).noquote() << error;
        m_ended = true;
        Q_EMIT finished(error.isEmpty() ? 0 : 1);
    });
    m_readerThread.setObjectName(QStringLiteral("stdin"));
    m_readerThread.start();
}

// --- framing

void McpServer::handleLine(const QByteArray &line)
{
    if (m_ended)
        return;
    if (m_phase == Phase::Initializing) {
        m_held.append(line); // in order, once initialize is answered
        return;
    }
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return;
    QJsonParseError parsed{};
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &parsed);
    if (parsed.error != QJsonParseError::NoError) {
        replyError(QJsonValue::Null, ParseError,
                   QStringLiteral("Parse error: %1 at offset %2").arg(parsed.errorString()).arg(parsed.offset));
        return;
    }
    if (document.isArray()) {
        replyError(QJsonValue::Null, InvalidRequest,
                   QStringLiteral("Invalid Request: batches are not supported; send one message per line"));
        return;
    }
    if (!document.isObject()) {
        replyError(QJsonValue::Null, InvalidRequest, QStringLiteral("Invalid Request: a message is a JSON object"));
        return;
    }
    const QJsonObject message = document.object();
    const bool isRequest = message.contains(QStringLiteral("id"));
    const QJsonValue id = message.value(QStringLiteral("id"));
    const QJsonValue replyId = isRequest && validId(id) ? id : QJsonValue(QJsonValue::Null);
    if (message.value(Jsonrpc).toString() != QLatin1String("2.0")) {
        replyError(replyId, InvalidRequest, QStringLiteral("Invalid Request: \"jsonrpc\" must be \"2.0\""));
        return;
    }
    const QJsonValue method = message.value(QStringLiteral("method"));
    if (method.isUndefined()) {
        if (message.contains(QStringLiteral("result")) || message.contains(QStringLiteral("error"))) {
            qCDebug(lcMcp) << "ignored a response: this server sends no requests";
            return;
        }
        replyError(replyId, InvalidRequest, QStringLiteral("Invalid Request: \"method\" is missing"));
        return;
    }
    if (!method.isString()) {
        replyError(replyId, InvalidRequest, QStringLiteral("Invalid Request: \"method\" must be a string"));
        return;
    }
    if (!isRequest) {
        handleNotification(method.toString()); // never answered, whatever it is
        return;
    }
    if (!validId(id)) {
        replyError(QJsonValue::Null, InvalidRequest,
                   QStringLiteral("Invalid Request: \"id\" must be a string or an integer"));
        return;
    }
    const QJsonValue params = message.value(QStringLiteral("params"));
    if (!params.isUndefined() && !params.isObject()) {
        replyError(id, InvalidParams, QStringLiteral("Invalid params: \"params\" must be an object"));
        return;
    }
    handleRequest(id, method.toString(), params.toObject());
}

void McpServer::handleNotification(const QString &method)
{
    if (method == QLatin1String("notifications/initialized"))
        qCDebug(lcMcp) << "the client is initialized";
    else
        qCDebug(lcMcp).noquote() << "notification" << method << "ignored";
}

void McpServer::handleRequest(const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    if (method == QLatin1String("ping")) {
        reply(id, {});
        return;
    }
    if (method == QLatin1String("initialize")) {
        if (m_phase != Phase::New) {
            replyError(id, InvalidRequest, QStringLiteral("Invalid Request: initialize was called already"));
            return;
        }
        initialize(id, params);
        return;
    }
    const bool known = method == QLatin1String("tools/list") || method == QLatin1String("tools/call");
    if (!known) {
        replyError(id, MethodNotFound, QStringLiteral("Method not found: '%1'").arg(method));
        return;
    }
    if (m_phase != Phase::Ready) {
        replyError(id, InvalidRequest,
                   QStringLiteral("Invalid Request: the server is not initialized; call initialize first"));
        return;
    }
    if (method == QLatin1String("tools/list")) {
        QJsonArray tools;
        for (const McpTool *tool : visibleTools())
            tools.append(tool->describe(atLeast("2025-06-18"), atLeast("2025-03-26")));
        reply(id, {{QStringLiteral("tools"), tools}});
        return;
    }
    callTool(id, params);
}

// --- the methods

void McpServer::initialize(const QJsonValue &id, const QJsonObject &params)
{
    const QJsonValue requested = params.value(QStringLiteral("protocolVersion"));
    if (!requested.isString()) {
        replyError(id, InvalidParams,
                   QStringLiteral("Invalid params: initialize needs \"protocolVersion\", a string such as \"%1\"")
                       .arg(supportedVersions().first()));
        return;
    }
    m_version = supportedVersions().contains(requested.toString()) ? requested.toString() : supportedVersions().first();
    const QJsonObject client = params.value(QStringLiteral("clientInfo")).toObject();
    qCInfo(lcMcp).noquote() << "initialize from" << client.value(QStringLiteral("name")).toString()
                            << client.value(QStringLiteral("version")).toString() << "asking for"
                            << requested.toString() << "- speaking" << m_version;
    m_phase = Phase::Initializing;
    // whoami before the answer, so that the first tools/list already knows whether we serve the manager.
    m_link->ensureConnected([this, guard = QPointer<McpServer>(this), id](const Result<void> &connected) {
        if (!guard)
            return;
        if (!connected)
            qCWarning(lcMcp).noquote() << "serving without the engine for now:" << connected.error().message;
        QJsonObject serverInfo{{QStringLiteral("name"), QStringLiteral("hive")},
                               {QStringLiteral("version"), QStringLiteral(HIVE_VERSION)}};
        if (atLeast("2025-06-18"))
            serverInfo.insert(QStringLiteral("title"), QStringLiteral("hyperhive"));
        m_phase = Phase::Ready;
        reply(id, {{QStringLiteral("protocolVersion"), m_version},
                   {QStringLiteral("capabilities"),
                    QJsonObject{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), true}}}}},
                   {QStringLiteral("serverInfo"), serverInfo},
                   {QStringLiteral("instructions"), Instructions}});
        for (const QByteArray &line : std::exchange(m_held, {}))
            handleLine(line);
    });
}

void McpServer::callTool(const QJsonValue &id, const QJsonObject &params)
{
    const QJsonValue name = params.value(QStringLiteral("name"));
    if (!name.isString()) {
        replyError(id, InvalidParams, QStringLiteral("Invalid params: tools/call needs \"name\", a string"));
        return;
    }
    const QJsonValue arguments = params.value(QStringLiteral("arguments"));
    const McpTool *tool = nullptr;
    for (const McpTool *visible : visibleTools()) {
        if (visible->name == name.toString())
            tool = visible;
    }
    if (!tool) {
        const McpTool *any = McpTools::find(name.toString());
        if (any && any->managerOnly) {
            reply(id, toolError(QStringLiteral("Unknown tool '%1': it is one of the manager's tools, and this agent "
                                               "is not the manager.")
                                    .arg(name.toString())));
            return;
        }
        QStringList names;
        for (const McpTool *visible : visibleTools())
            names << visible->name;
        reply(id, toolError(QStringLiteral("Unknown tool '%1'. The tools are: %2.")
                                .arg(name.toString(), names.join(QStringLiteral(", ")))));
        return;
    }
    if (!arguments.isUndefined() && !arguments.isNull() && !arguments.isObject()) {
        reply(id,
              toolError(QStringLiteral("Invalid arguments for %1: \"arguments\" must be an object").arg(tool->name)));
        return;
    }
    auto prepared = tool->prepare(arguments.toObject());
    if (!prepared) {
        reply(id, toolError(QStringLiteral("Invalid arguments for %1: %2").arg(tool->name, prepared.error().message)));
        return;
    }
    m_link->call(tool->name, *prepared,
                 [this, guard = QPointer<McpServer>(this), id, tool](const Result<QJsonValue> &result) {
                     if (guard)
                         answerTool(id, *tool, result);
                 });
}

void McpServer::answerTool(const QJsonValue &id, const McpTool &tool, const Result<QJsonValue> &result)
{
    if (result) {
        const QJsonObject structured =
            result->isObject() ? result->toObject() : QJsonObject{{QStringLiteral("result"), *result}};
        reply(id, toolResult(QString::fromUtf8(QJsonDocument(structured).toJson(QJsonDocument::Compact)), structured,
                             false));
        return;
    }
    const Error &error = result.error();
    QString text = QStringLiteral("%1 failed (%2): %3").arg(tool.name, errorCodeName(error.code), error.message);
    if (const QString hint = McpTools::hint(tool.name, error); !hint.isEmpty())
        text += QLatin1Char('\n') + hint;
    QJsonObject details = error.data;
    details.insert(QStringLiteral("kind"), errorCodeName(error.code));
    details.insert(QStringLiteral("message"), error.message);
    reply(id, toolResult(text, {{QStringLiteral("error"), details}}, true));
}

QList<const McpTool *> McpServer::visibleTools() const
{
    QList<const McpTool *> tools;
    for (const McpTool &tool : McpTools::all()) {
        if (!tool.managerOnly || m_manager)
            tools.append(&tool);
    }
    return tools;
}

bool McpServer::atLeast(const char *version) const
{
    return m_version >= QLatin1String(version); // revisions are dates: their text order is their age
}

void McpServer::identified(const protocol::WhoamiResult &who)
{
    const bool manager = who.role == QLatin1String("manager");
    if (manager == m_manager)
        return;
    m_manager = manager;
    if (m_phase == Phase::Ready)
        notify(QStringLiteral("notifications/tools/list_changed"));
}

// --- output

QJsonObject McpServer::toolResult(const QString &text, const QJsonObject &structured, bool isError) const
{
    QJsonObject result{
        {QStringLiteral("content"),
         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}}}},
        {QStringLiteral("isError"), isError}};
    if (atLeast("2025-06-18") && !structured.isEmpty())
        result.insert(QStringLiteral("structuredContent"), structured);
    return result;
}

QJsonObject McpServer::toolError(const QString &text) const
{
    return toolResult(text, {}, true);
}

void McpServer::reply(const QJsonValue &id, const QJsonObject &result)
{
    write({{Jsonrpc, QStringLiteral("2.0")}, {QStringLiteral("id"), id}, {QStringLiteral("result"), result}});
}

void McpServer::replyError(const QJsonValue &id, int code, const QString &message)
{
    write(
        {{Jsonrpc, QStringLiteral("2.0")},
         {QStringLiteral("id"), id},
         {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}});
}

void McpServer::notify(const QString &method)
{
    write({{Jsonrpc, QStringLiteral("2.0")}, {QStringLiteral("method"), method}});
}

void McpServer::write(const QJsonObject &message)
{
    if (m_ended)
        return;
    // Compact JSON has no raw newline, so one message is one line. Only this writes to stdout.
    const QByteArray frame = QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n';
    qsizetype written = 0;
    while (written < frame.size()) {
        const ssize_t n =
            ::write(STDOUT_FILENO, frame.constData() + written, static_cast<size_t>(frame.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            qCWarning(lcMcp) << "stdout is gone; stopping";
            m_ended = true;
            Q_EMIT finished(0);
            return;
        }
        written += n;
    }
}

} // namespace hive::harness
