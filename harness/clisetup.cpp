// SPDX-License-Identifier: MIT
#include "clisetup.h"

#include "prompts.h"
#include "protocol/deployedconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace hive::harness {

namespace {

/// The hive tools by surface; the manager has both lists.
const QStringList &agentTools()
{
    static const QStringList tools{QStringLiteral("recv"),          QStringLiteral("send"),
                                   QStringLiteral("ask"),           QStringLiteral("answer"),
                                   QStringLiteral("remind"),        QStringLiteral("get_open_threads"),
                                   QStringLiteral("cancel_thread"), QStringLiteral("whoami")};
    return tools;
}

const QStringList &managerTools()
{
    static const QStringList tools{QStringLiteral("request_spawn"),
                                   QStringLiteral("request_spawn_draft"),
                                   QStringLiteral("request_spawn_commit"),
                                   QStringLiteral("kill"),
                                   QStringLiteral("start"),
                                   QStringLiteral("restart"),
                                   QStringLiteral("update"),
                                   QStringLiteral("request_apply_commit"),
                                   QStringLiteral("list_agents")};
    return tools;
}

Result<void> writeIfChanged(const QString &path, const QByteArray &content)
{
    QFile current(path);
    if (current.open(QIODevice::ReadOnly) && current.readAll() == content)
        return {};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(content);
    if (!file.commit())
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

QString bulletList(const QStringList &items)
{
    QString text;
    for (const QString &item : items)
        text += QStringLiteral("- `%1`\n").arg(item);
    return text.trimmed();
}

} // namespace

ServeSettings ServeSettings::from(const QString &agent, const QString &kind, const protocol::ConfigResult &config)
{
    ServeSettings settings;
    settings.agent = agent;
    settings.kind = kind;
    settings.model = config.model;
    settings.extraPrompt = config.prompt;
    settings.allowedTools = config.allowedTools;
    settings.allowedRecipients = config.allowedRecipients;
    settings.mcpServers = config.mcpServers;
    settings.cliPath = config.cli.path;
    settings.cliArgs = config.cli.args;
    settings.cliEnv = config.cli.env;
    settings.turnTimeoutSeconds = config.harness.turnTimeoutSeconds;
    settings.rateLimitRetrySeconds = config.harness.rateLimitRetrySeconds;
    settings.notesCompactBytes = config.harness.notesCompactBytes;
    return settings;
}

QString HarnessPaths::notesPath() const
{
    return QDir(stateDir).filePath(QStringLiteral("notes.md"));
}

QString HarnessPaths::mcpConfigPath() const
{
    return QDir(runDir).filePath(QStringLiteral("mcp.json"));
}

QString HarnessPaths::settingsPath() const
{
    return QDir(runDir).filePath(QStringLiteral("settings.json"));
}

QString HarnessPaths::systemPromptPath() const
{
    return QDir(runDir).filePath(QStringLiteral("system-prompt.md"));
}

QString HarnessPaths::notesPromptPath() const
{
    return QDir(runDir).filePath(QStringLiteral("notes-prompt.md"));
}

QJsonObject mcpConfig(const ServeSettings &settings, const HarnessPaths &paths)
{
    QJsonObject servers;
    for (const QJsonValue &value : settings.mcpServers) {
        const QJsonObject server = value.toObject();
        QJsonObject entry{{QStringLiteral("type"), QStringLiteral("stdio")},
                          {QStringLiteral("command"), server.value(QLatin1String("command"))},
                          {QStringLiteral("args"), server.value(QLatin1String("args")).toArray()}};
        if (const QJsonObject env = server.value(QLatin1String("env")).toObject(); !env.isEmpty())
            entry.insert(QStringLiteral("env"), env);
        servers.insert(server.value(QLatin1String("name")).toString(), entry);
    }
    // Last, so that agent.toml cannot replace the hive server under its name.
    servers.insert(QString::fromLatin1(HiveMcpServer),
                   QJsonObject{{QStringLiteral("type"), QStringLiteral("stdio")},
                               {QStringLiteral("command"), paths.selfPath},
                               {QStringLiteral("args"),
                                QJsonArray{QStringLiteral("mcp"), QStringLiteral("--socket"), paths.socketPath}}});
    return QJsonObject{{QStringLiteral("mcpServers"), servers}};
}

QStringList allowedTools(const ServeSettings &settings)
{
    QStringList tools;
    const auto add = [&tools](const QStringList &names) {
        for (const QString &name : names)
            tools.append(QStringLiteral("mcp__%1__%2").arg(QLatin1String(HiveMcpServer), name));
    };
    add(agentTools());
    if (settings.kind == QLatin1String("manager"))
        add(managerTools());
    for (const QString &tool : settings.allowedTools) {
        if (!tools.contains(tool))
            tools.append(tool);
    }
    return tools;
}

QString systemPrompt(const ServeSettings &settings, const HarnessPaths &paths)
{
    const bool manager = settings.kind == QLatin1String("manager");
    QString recipients;
    if (!manager && !settings.allowedRecipients.isEmpty() && !settings.allowedRecipients.contains(QLatin1String("*"))) {
        recipients = QStringLiteral("You may send only to: %1 (and the manager); other sends are refused.")
                         .arg(settings.allowedRecipients.join(QLatin1String(", ")));
    }
    QStringList own = settings.allowedTools;
    QString tools = own.isEmpty() ? QStringLiteral("The hive tools above; every other tool needs the operator's "
                                                   "approval, which a headless turn cannot get, so it is refused.")
                                  : QStringLiteral("The hive tools above, and:\n%1").arg(bulletList(own));
    const QHash<QString, QString> values{
        {QStringLiteral("name"), settings.agent},
        {QStringLiteral("state_dir"), paths.stateDir},
        {QStringLiteral("notes_path"), paths.notesPath()},
        {QStringLiteral("notes_limit"), QString::number(settings.notesCompactBytes)},
        {QStringLiteral("recipients"), recipients},
        {QStringLiteral("tools"), tools},
        {QStringLiteral("extra"), settings.extraPrompt.isEmpty()
                                      ? QString()
                                      : QStringLiteral("\n## From your configuration\n%1\n").arg(settings.extraPrompt)},
    };
    return renderTemplate(promptTemplate(manager ? QStringLiteral("manager") : QStringLiteral("agent")), values);
}

Result<void> writeTurnFiles(const ServeSettings &settings, const HarnessPaths &paths)
{
    if (!QDir().mkpath(paths.runDir))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(paths.runDir));
    QFile::setPermissions(paths.runDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (auto written = writeIfChanged(paths.mcpConfigPath(),
                                      QJsonDocument(mcpConfig(settings, paths)).toJson(QJsonDocument::Indented));
        !written)
        return written;
    // Durable knowledge lives in notes.md; the CLI's own memory feature would duplicate it.
    const QJsonObject cliSettings{{QStringLiteral("autoMemoryEnabled"), false}};
    if (auto written = writeIfChanged(paths.settingsPath(), QJsonDocument(cliSettings).toJson(QJsonDocument::Indented));
        !written)
        return written;
    return writeIfChanged(paths.systemPromptPath(), systemPrompt(settings, paths).toUtf8());
}

QProcessEnvironment cliEnvironment(const ServeSettings &settings)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), QStringLiteral("1"));
    environment.insert(QStringLiteral("DISABLE_AUTOUPDATER"), QStringLiteral("1"));
    for (auto it = settings.cliEnv.constBegin(); it != settings.cliEnv.constEnd(); ++it)
        environment.insert(it.key(), it.value());
    return environment;
}

CliInvocation turnInvocation(const ServeSettings &settings, const HarnessPaths &paths, const QString &prompt)
{
    CliInvocation invocation;
    invocation.program = settings.cliPath;
    invocation.arguments = settings.cliArgs;
    invocation.arguments << QStringLiteral("-p") << QStringLiteral("--output-format") << QStringLiteral("stream-json")
                         << QStringLiteral("--verbose") << QStringLiteral("--continue")
                         << QStringLiteral("--mcp-config") << paths.mcpConfigPath()
                         << QStringLiteral("--strict-mcp-config") << QStringLiteral("--settings")
                         << paths.settingsPath() << QStringLiteral("--system-prompt-file")
                         << paths.systemPromptPath()
                         // The prompt follows the deployed config: without this, --continue keeps the
                         // conversation's first prompt (agent-cli.md 7a).
                         << QStringLiteral("--system-prompt-snapshot") << QStringLiteral("off")
                         << QStringLiteral("--allowedTools") << allowedTools(settings).join(QLatin1Char(','));
    if (!settings.model.isEmpty())
        invocation.arguments << QStringLiteral("--model") << settings.model;
    invocation.environment = cliEnvironment(settings);
    invocation.workingDirectory = paths.stateDir;
    invocation.input = prompt.toUtf8();
    invocation.timeoutMs = settings.turnTimeoutSeconds * 1000;
    return invocation;
}

CliInvocation notesInvocation(const ServeSettings &settings, const HarnessPaths &paths, qint64 notesBytes)
{
    const QHash<QString, QString> values{
        {QStringLiteral("name"), settings.agent},
        {QStringLiteral("notes_path"), paths.notesPath()},
        {QStringLiteral("notes_bytes"), QString::number(notesBytes)},
        {QStringLiteral("notes_limit"), QString::number(settings.notesCompactBytes / 2)}};
    CliInvocation invocation;
    invocation.program = settings.cliPath;
    invocation.arguments = settings.cliArgs;
    invocation.arguments << QStringLiteral("-p") << QStringLiteral("--output-format") << QStringLiteral("stream-json")
                         << QStringLiteral("--verbose") << QStringLiteral("--no-session-persistence")
                         << QStringLiteral("--strict-mcp-config") << QStringLiteral("--settings")
                         << paths.settingsPath() << QStringLiteral("--system-prompt")
                         << renderTemplate(promptTemplate(QStringLiteral("notes-compact")), values)
                         << QStringLiteral("--tools") << QStringLiteral("Read,Write,Edit")
                         << QStringLiteral("--allowedTools") << QStringLiteral("Read,Write,Edit")
                         << QStringLiteral("--max-turns") << QStringLiteral("8");
    if (!settings.model.isEmpty())
        invocation.arguments << QStringLiteral("--model") << settings.model;
    invocation.environment = cliEnvironment(settings);
    invocation.workingDirectory = paths.stateDir;
    invocation.input = QStringLiteral("Compact %1 now.\n").arg(paths.notesPath()).toUtf8();
    invocation.timeoutMs = 300 * 1000;
    return invocation;
}

} // namespace hive::harness
