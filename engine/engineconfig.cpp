// SPDX-License-Identifier: MIT
#include "engineconfig.h"

#include "protocol/harness.h"
#include "statepaths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

#include <toml++/toml.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hive::engine {

namespace {

constexpr qint64 MinFrameBytes = 1024;
constexpr qint64 MaxFrameBytes = 64 * 1024 * 1024;
constexpr qint64 MinEventHistory = 100;
constexpr qint64 MaxEventHistory = 10'000'000;
constexpr qint64 MaxHelloTimeoutSeconds = 300;
constexpr qint64 MaxConnections = 10'000;
constexpr qint64 MaxWatchdogSeconds = 86'400;
constexpr qint64 MinBodyBytes = 1024;
constexpr qint64 MaxBodyBytes = 16 * 1024 * 1024;
constexpr qint64 MaxRetentionDays = 3650;
constexpr qint64 MaxVacuumIntervalMinutes = 1440;
constexpr qint64 MaxGcIntervalMinutes = 10080; // a week

constexpr std::string_view TopLevelKeys[] = {"listen", "state_dir"};
constexpr std::string_view ApiKeys[] = {"event_history", "hello_timeout_seconds", "max_connections", "max_frame_bytes"};
constexpr std::string_view ApprovalKeys[] = {"gc_interval_minutes", "tag_retention_days"};
constexpr std::string_view BrokerKeys[] = {"max_body_bytes", "retention_days", "vacuum_interval_minutes"};
constexpr std::string_view ContainerKeys[] = {
    "auto_restart", "backend",       "command",           "harness",
    "image_dir",    "image_mirror",  "image_suite",       "restart_backoff_seconds",
    "root",         "spawn_manager", "stop_grace_seconds"};
constexpr std::string_view ContainerBackends[] = {"nspawn", "none"};
constexpr std::string_view ContainerRoots[] = {"host", "image"};
constexpr std::string_view HarnessKeys[] = {
    "api_key_file",        "cli", "cli_args", "default_model", "env", "notes_compact_bytes", "rate_limit_retry_seconds",
    "turn_timeout_seconds"};
constexpr std::string_view LogKeys[] = {"level"};
constexpr std::string_view ServiceKeys[] = {"watchdog_seconds"};
constexpr std::string_view TelemetryKeys[] = {"raw_retention_days", "retention_days", "retention_interval_minutes"};
constexpr std::string_view TlsKeys[] = {"certificate", "private_key"};
constexpr std::string_view LogLevels[] = {"debug", "info", "warning", "error"};

struct Section {
    std::string_view name;
    std::span<const std::string_view> keys;
};
constexpr Section Sections[] = {{"api", ApiKeys},         {"approvals", ApprovalKeys},
                                {"broker", BrokerKeys},   {"containers", ContainerKeys},
                                {"harness", HarnessKeys}, {"log", LogKeys},
                                {"service", ServiceKeys}, {"telemetry", TelemetryKeys},
                                {"tls", TlsKeys}};

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

bool contains(std::span<const std::string_view> list, std::string_view name)
{
    return std::find(list.begin(), list.end(), name) != list.end();
}

QString joined(std::span<const std::string_view> list, bool asTables = false)
{
    QStringList names;
    for (const std::string_view name : list)
        names.append(asTables ? QLatin1Char('[') + qs(name) + QLatin1Char(']') : qs(name));
    return names.join(QStringLiteral(", "));
}

QString knownTables()
{
    QStringList names;
    for (const Section &section : Sections)
        names.append(QLatin1Char('[') + qs(section.name) + QLatin1Char(']'));
    return names.join(QStringLiteral(", "));
}

QString dotted(std::string_view section, std::string_view key)
{
    return section.empty() ? qs(key) : qs(section) + QLatin1Char('.') + qs(key);
}

QString quoted(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

// The offending value as the user wrote it, so that "got ..." in a message can be matched against the file.
QString describe(const toml::node &node)
{
    switch (node.type()) {
    case toml::node_type::string:
        return quoted(QString::fromStdString(node.as_string()->get()));
    case toml::node_type::integer:
        return QString::number(node.as_integer()->get());
    case toml::node_type::floating_point:
        return QString::number(node.as_floating_point()->get());
    case toml::node_type::boolean:
        return node.as_boolean()->get() ? QStringLiteral("true") : QStringLiteral("false");
    case toml::node_type::array:
        return QStringLiteral("an array");
    case toml::node_type::table:
        return QStringLiteral("a table");
    case toml::node_type::date:
        return QStringLiteral("a date");
    case toml::node_type::time:
        return QStringLiteral("a time");
    case toml::node_type::date_time:
        return QStringLiteral("a date-time");
    case toml::node_type::none:
        break;
    }
    return QStringLiteral("nothing");
}

struct Problem {
    toml::source_index line = 0;
    toml::source_index column = 0;
    QString message;
};

// Collects every problem in the file rather than stopping at the first, so that an operator fixes them in one go.
class Checker
{
public:
    explicit Checker(const QString &path) : m_path(path), m_directory(QFileInfo(path).absoluteDir()) {}

    QString where(const toml::source_region &region) const
    {
        return QStringLiteral("%1:%2:%3:")
            .arg(m_path, QString::number(region.begin.line), QString::number(region.begin.column));
    }
    QString origin(const toml::node &node, std::string_view section, std::string_view key) const
    {
        return QStringLiteral("%1 key '%2'").arg(where(node.source()), dotted(section, key));
    }
    void report(const toml::source_region &region, const QString &text)
    {
        m_problems.push_back({region.begin.line, region.begin.column, where(region) + QLatin1Char(' ') + text});
    }
    void report(const toml::node &node, const Error &error)
    {
        m_problems.push_back({node.source().begin.line, node.source().begin.column, error.message});
    }
    QString resolved(const QString &path) const { return QDir::cleanPath(m_directory.absoluteFilePath(path)); }

    void checkStructure(const toml::table &root)
    {
        for (const auto &[key, node] : root) {
            const std::string_view name = key.str();
            if (contains(TopLevelKeys, name))
                continue;
            const auto *section = std::find_if(std::begin(Sections), std::end(Sections),
                                               [name](const Section &s) { return s.name == name; });
            if (section == std::end(Sections)) {
                if (node.is_table())
                    report(key.source(),
                           QStringLiteral("unknown table '[%1]'; known tables: %2").arg(qs(name), knownTables()));
                else
                    report(key.source(), QStringLiteral("unknown key '%1' at top level; known keys: %2; known "
                                                        "tables: %3")
                                             .arg(qs(name), joined(TopLevelKeys), knownTables()));
                continue;
            }
            if (!node.is_table()) {
                report(node.source(), QStringLiteral("key '%1' must be a table, got %2").arg(qs(name), describe(node)));
                continue;
            }
            for (const auto &[innerKey, innerNode] : *node.as_table()) {
                if (contains(section->keys, innerKey.str()))
                    continue;
                const QString what = innerNode.is_table() ? QStringLiteral("table") : QStringLiteral("key");
                report(innerKey.source(), QStringLiteral("unknown %1 '%2' in [%3]; known keys: %4")
                                              .arg(what, qs(innerKey.str()), qs(name), joined(section->keys)));
            }
        }
    }

    static const toml::node *find(const toml::table &root, std::string_view section, std::string_view key)
    {
        if (section.empty())
            return root.get(key);
        const auto *table = root.get_as<toml::table>(section);
        return table ? table->get(key) : nullptr;
    }

    std::optional<QString> string(const toml::table &root, std::string_view section, std::string_view key)
    {
        const toml::node *node = find(root, section, key);
        if (!node)
            return std::nullopt;
        if (const auto *value = node->as_string())
            return QString::fromStdString(value->get());
        report(node->source(),
               QStringLiteral("key '%1' must be a string, got %2").arg(dotted(section, key), describe(*node)));
        return std::nullopt;
    }

    void boolean(const toml::table &root, std::string_view section, std::string_view key, bool &out)
    {
        const toml::node *node = find(root, section, key);
        if (!node)
            return;
        if (const auto *value = node->as_boolean()) {
            out = value->get();
            return;
        }
        report(node->source(),
               QStringLiteral("key '%1' must be true or false, got %2").arg(dotted(section, key), describe(*node)));
    }

    /// A non-empty array of non-empty strings.
    void stringList(const toml::table &root, std::string_view section, std::string_view key, QStringList &out)
    {
        const toml::node *node = find(root, section, key);
        if (!node)
            return;
        const auto *array = node->as_array();
        QStringList values;
        bool ok = array && !array->empty();
        if (ok) {
            for (const toml::node &item : *array) {
                const auto *text = item.as_string();
                if (!text || text->get().empty()) {
                    ok = false;
                    break;
                }
                values << QString::fromStdString(text->get());
            }
        }
        if (!ok) {
            report(node->source(), QStringLiteral("key '%1' must be a non-empty array of non-empty strings, got %2")
                                       .arg(dotted(section, key), describe(*node)));
            return;
        }
        out = values;
    }

    template<typename T>
    void integer(const toml::table &root, std::string_view section, std::string_view key, qint64 min, qint64 max,
                 T &out)
    {
        const toml::node *node = find(root, section, key);
        if (!node)
            return;
        const auto *value = node->as_integer();
        if (!value || value->get() < min || value->get() > max) {
            report(node->source(),
                   QStringLiteral("key '%1' must be an integer between %2 and %3, got %4")
                       .arg(dotted(section, key), QString::number(min), QString::number(max), describe(*node)));
            return;
        }
        out = static_cast<T>(value->get());
    }

    [[nodiscard]] Result<void> result() const
    {
        if (m_problems.empty())
            return {};
        std::vector<Problem> sorted = m_problems;
        std::stable_sort(sorted.begin(), sorted.end(), [](const Problem &a, const Problem &b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
        QStringList lines;
        for (const Problem &problem : sorted)
            lines.append(problem.message);
        return fail(ErrorCode::Config, lines.join(QLatin1Char('\n')));
    }

private:
    QString m_path;
    QDir m_directory;
    std::vector<Problem> m_problems;
};

void readTls(Checker &checker, const toml::table &root, EngineConfig &config)
{
    config.tlsCertificate.clear();
    config.tlsPrivateKey.clear();
    // An empty string means "not set" so that the documented default (`certificate = ""`) is itself valid.
    if (const auto value = checker.string(root, "tls", "certificate"); value && !value->isEmpty())
        config.tlsCertificate = checker.resolved(*value);
    if (const auto value = checker.string(root, "tls", "private_key"); value && !value->isEmpty())
        config.tlsPrivateKey = checker.resolved(*value);
    if (config.tlsCertificate.isEmpty() == config.tlsPrivateKey.isEmpty())
        return;
    const bool hasCertificate = !config.tlsCertificate.isEmpty();
    const toml::node *node = Checker::find(root, "tls", hasCertificate ? "certificate" : "private_key");
    checker.report(node->source(),
                   QStringLiteral("key '%1' is set but '%2' is not; set both or neither")
                       .arg(hasCertificate ? QStringLiteral("tls.certificate") : QStringLiteral("tls.private_key"),
                            hasCertificate ? QStringLiteral("tls.private_key") : QStringLiteral("tls.certificate")));
}

void readImage(Checker &checker, const toml::table &root, EngineConfig &config)
{
    if (const auto value = checker.string(root, "containers", "root")) {
        if (contains(ContainerRoots, value->toStdString()))
            config.containerRoot = *value;
        else
            checker.report(Checker::find(root, "containers", "root")->source(),
                           QStringLiteral("key 'containers.root' must be one of %1, got %2")
                               .arg(joined(ContainerRoots), quoted(*value)));
    }
    if (const auto value = checker.string(root, "containers", "image_dir"); value && !value->isEmpty())
        config.imageDir = checker.resolved(*value);
    // A code name or suite as debootstrap takes it; it also names the default directory, so no '/' or "..".
    static const QRegularExpression suite(QStringLiteral("^[a-z][a-z0-9-]{0,31}$"));
    if (const auto value = checker.string(root, "containers", "image_suite")) {
        if (suite.match(*value).hasMatch())
            config.imageSuite = *value;
        else
            checker.report(Checker::find(root, "containers", "image_suite")->source(),
                           QStringLiteral("key 'containers.image_suite' must be a Debian suite or code name like "
                                          "\"bookworm\" (lower-case letters, digits and '-'), got %1")
                               .arg(quoted(*value)));
    }
    if (const auto value = checker.string(root, "containers", "image_mirror")) {
        const QUrl url(*value, QUrl::StrictMode);
        const QString scheme = url.scheme();
        const bool web = scheme == QLatin1String("http") || scheme == QLatin1String("https");
        if (url.isValid() &&
            ((web && !url.host().isEmpty()) || (scheme == QLatin1String("file") && !url.path().isEmpty())))
            config.imageMirror = *value;
        else
            checker.report(Checker::find(root, "containers", "image_mirror")->source(),
                           QStringLiteral("key 'containers.image_mirror' must be an http://, https:// or file:// URL "
                                          "of a Debian mirror, got %1")
                               .arg(quoted(*value)));
    }
}

void readHarnessEnv(Checker &checker, const toml::table &root, HarnessSettings &harness)
{
    const toml::node *node = Checker::find(root, "harness", "env");
    if (!node)
        return;
    const auto *table = node->as_table();
    if (!table) {
        checker.report(node->source(),
                       QStringLiteral("key 'harness.env' must be a table of strings, got %1").arg(describe(*node)));
        return;
    }
    static const QRegularExpression variable(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    QMap<QString, QString> env;
    for (const auto &[key, value] : *table) {
        const QString name = qs(key.str());
        if (!variable.match(name).hasMatch()) {
            checker.report(key.source(), QStringLiteral("key 'harness.env.%1' is not an environment variable name "
                                                        "(letters, digits and '_', not starting with a digit)")
                                             .arg(name));
        } else if (const auto *text = value.as_string()) {
            env.insert(name, QString::fromStdString(text->get()));
        } else {
            checker.report(value.source(),
                           QStringLiteral("key 'harness.env.%1' must be a string, got %2").arg(name, describe(value)));
        }
    }
    // The key lives in its own private file, never in engine.conf (which is often world-readable).
    if (!harness.apiKeyFile.isEmpty() && env.contains(QString::fromLatin1(HarnessSettings::ApiKeyVariable))) {
        for (const auto &[key, value] : *table) {
            if (key.str() == HarnessSettings::ApiKeyVariable)
                checker.report(key.source(), QStringLiteral("key 'harness.env.%1' conflicts with harness.api_key_file, "
                                                            "which sets it; remove one")
                                                 .arg(qs(key.str())));
        }
    }
    harness.env = env;
}

void readHarness(Checker &checker, const toml::table &root, HarnessSettings &harness)
{
    if (const auto value = checker.string(root, "harness", "cli")) {
        // A path inside the container, so not resolved against the file's directory.
        if (value->startsWith(QLatin1Char('/')))
            harness.cli = *value;
        else
            checker.report(Checker::find(root, "harness", "cli")->source(),
                           QStringLiteral("key 'harness.cli' must be an absolute path inside the container, got %1")
                               .arg(quoted(*value)));
    }
    if (const toml::node *node = Checker::find(root, "harness", "cli_args")) {
        const auto *array = node->as_array();
        QStringList args;
        bool ok = array != nullptr;
        for (std::size_t i = 0; ok && i < array->size(); ++i) {
            const auto *text = array->get(i)->as_string();
            ok = text != nullptr;
            if (ok)
                args << QString::fromStdString(text->get());
        }
        if (ok)
            harness.cliArgs = args;
        else
            checker.report(
                node->source(),
                QStringLiteral("key 'harness.cli_args' must be an array of strings, got %1").arg(describe(*node)));
    }
    if (const auto value = checker.string(root, "harness", "api_key_file"); value && !value->isEmpty()) {
        harness.apiKeyFile = checker.resolved(*value);
        const toml::node *node = Checker::find(root, "harness", "api_key_file");
        if (auto checked = HarnessSettings::checkApiKeyFile(harness.apiKeyFile); !checked)
            checker.report(node->source(),
                           QStringLiteral("key 'harness.api_key_file': %1")
                               .arg(checked.error().message.mid(qsizetype(sizeof "harness.api_key_file"))));
    }
    readHarnessEnv(checker, root, harness);
    if (const auto value = checker.string(root, "harness", "default_model")) {
        const auto problem = value->isEmpty() ? std::nullopt : protocol::modelNameProblem(*value);
        if (problem)
            checker.report(Checker::find(root, "harness", "default_model")->source(),
                           QStringLiteral("key 'harness.default_model' %1").arg(*problem));
        else
            harness.defaultModel = *value;
    }
    checker.integer(root, "harness", "turn_timeout_seconds", 10, 86'400, harness.turnTimeoutSeconds);
    checker.integer(root, "harness", "rate_limit_retry_seconds", 1, 3600, harness.rateLimitRetrySeconds);
    checker.integer(root, "harness", "notes_compact_bytes", 1024, 16 * 1024 * 1024, harness.notesCompactBytes);
}

void readTelemetry(Checker &checker, const toml::table &root, TelemetryOptions &telemetry)
{
    checker.integer(root, "telemetry", "raw_retention_days", 1, 90, telemetry.rawRetentionDays);
    checker.integer(root, "telemetry", "retention_days", 1, MaxRetentionDays, telemetry.retentionDays);
    checker.integer(root, "telemetry", "retention_interval_minutes", 1, MaxVacuumIntervalMinutes,
                    telemetry.retentionIntervalMinutes);
    if (telemetry.rawRetentionDays > telemetry.retentionDays) {
        const toml::node *node = Checker::find(root, "telemetry", "raw_retention_days");
        if (!node)
            node = Checker::find(root, "telemetry", "retention_days");
        checker.report(node->source(), QStringLiteral("key 'telemetry.raw_retention_days' (%1) must not exceed "
                                                      "'telemetry.retention_days' (%2)")
                                           .arg(telemetry.rawRetentionDays)
                                           .arg(telemetry.retentionDays));
    }
}

} // namespace

QString EngineConfig::imageDirectory() const
{
    return imageDir.isEmpty() ? QDir(stateDir).filePath(QStringLiteral("images/debian-") + imageSuite) : imageDir;
}

QString EngineConfig::defaultPath()
{
    return QStringLiteral("/etc/hyperhive/engine.conf");
}

EngineConfig EngineConfig::defaults()
{
    EngineConfig config;
    config.stateDir = paths::defaultStateDir();
    return config;
}

Result<EngineConfig> EngineConfig::load(const QString &path, bool required)
{
    EngineConfig config = defaults();
    QFile file(path);
    if (!file.exists()) {
        if (!required)
            return config;
        return fail(ErrorCode::Config,
                    QStringLiteral("%1: cannot read the configuration file: it does not exist").arg(path));
    }
    // Read through QFile rather than toml::parse_file: Qt handles the path's encoding and reports why an
    // existing file cannot be opened, where toml++ only says that it could not.
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Config,
                    QStringLiteral("%1: cannot read the configuration file: %2").arg(path, file.errorString()));
    const QByteArray text = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(ErrorCode::Config,
                    QStringLiteral("%1: cannot read the configuration file: %2").arg(path, file.errorString()));

    toml::table root;
    try {
        root =
            toml::parse(std::string_view(text.constData(), static_cast<std::size_t>(text.size())), path.toStdString());
    } catch (const toml::parse_error &error) {
        return fail(ErrorCode::Config, QStringLiteral("%1:%2:%3: TOML syntax error: %4")
                                           .arg(path, QString::number(error.source().begin.line),
                                                QString::number(error.source().begin.column), qs(error.description())));
    }
    config.sourcePath = path;

    Checker checker(path);
    checker.checkStructure(root);
    if (const auto value = checker.string(root, {}, "state_dir")) {
        const toml::node *node = Checker::find(root, {}, "state_dir");
        const QString resolved = value->isEmpty() ? QString() : checker.resolved(*value);
        if (const auto set = config.setStateDir(resolved, checker.origin(*node, {}, "state_dir")); !set)
            checker.report(*node, set.error());
    }
    if (const auto value = checker.string(root, {}, "listen")) {
        const toml::node *node = Checker::find(root, {}, "listen");
        if (const auto set = config.setListen(*value, checker.origin(*node, {}, "listen")); !set)
            checker.report(*node, set.error());
    }
    readTls(checker, root, config);
    checker.integer(root, "api", "max_frame_bytes", MinFrameBytes, MaxFrameBytes, config.maxFrameBytes);
    checker.integer(root, "api", "event_history", MinEventHistory, MaxEventHistory, config.eventHistory);
    checker.integer(root, "api", "hello_timeout_seconds", 1, MaxHelloTimeoutSeconds, config.helloTimeoutSeconds);
    checker.integer(root, "api", "max_connections", 1, MaxConnections, config.maxConnections);
    checker.integer(root, "service", "watchdog_seconds", 0, MaxWatchdogSeconds, config.watchdogSeconds);
    checker.integer(root, "broker", "max_body_bytes", MinBodyBytes, MaxBodyBytes, config.maxBodyBytes);
    checker.integer(root, "broker", "retention_days", 1, MaxRetentionDays, config.retentionDays);
    checker.integer(root, "broker", "vacuum_interval_minutes", 1, MaxVacuumIntervalMinutes,
                    config.vacuumIntervalMinutes);
    checker.integer(root, "approvals", "tag_retention_days", 0, MaxRetentionDays, config.tagRetentionDays);
    checker.integer(root, "approvals", "gc_interval_minutes", 1, MaxGcIntervalMinutes, config.gcIntervalMinutes);
    if (const auto value = checker.string(root, "containers", "backend")) {
        if (contains(ContainerBackends, value->toStdString()))
            config.containerBackend = *value;
        else
            checker.report(Checker::find(root, "containers", "backend")->source(),
                           QStringLiteral("key 'containers.backend' must be one of %1, got %2")
                               .arg(joined(ContainerBackends), quoted(*value)));
    }
    checker.boolean(root, "containers", "spawn_manager", config.spawnManager);
    if (const auto value = checker.string(root, "containers", "harness"); value && !value->isEmpty())
        config.harnessPath = checker.resolved(*value);
    checker.stringList(root, "containers", "command", config.containerCommand);
    checker.integer(root, "containers", "stop_grace_seconds", 1, 600, config.stopGraceSeconds);
    checker.boolean(root, "containers", "auto_restart", config.autoRestart);
    checker.integer(root, "containers", "restart_backoff_seconds", 1, 3600, config.restartBackoffSeconds);
    readImage(checker, root, config);
    readHarness(checker, root, config.harness);
    readTelemetry(checker, root, config.telemetry);
    if (const auto value = checker.string(root, "log", "level")) {
        if (contains(LogLevels, value->toStdString()))
            config.logLevel = *value;
        else
            checker.report(
                Checker::find(root, "log", "level")->source(),
                QStringLiteral("key 'log.level' must be one of %1, got %2").arg(joined(LogLevels), quoted(*value)));
    }
    if (const auto checked = checker.result(); !checked)
        return fail(checked.error());
    return config;
}

Result<void> EngineConfig::setListen(const QString &value, const QString &origin)
{
    const auto invalid = [&](const QString &why) {
        return fail(ErrorCode::Config,
                    QStringLiteral("%1 must be \"ADDR:PORT\" (like \"127.0.0.1:7443\" or \"[::1]:7443\"), \"\" or "
                                   "\"off\", got %2: %3")
                        .arg(origin, quoted(value), why));
    };
    if (value.isEmpty() || value == QLatin1String("off")) {
        listenEnabled = false;
        return {};
    }
    QString host;
    QString portText;
    QHostAddress address;
    if (value.startsWith(QLatin1Char('['))) {
        const qsizetype close = value.indexOf(QLatin1Char(']'));
        if (close < 0 || value.mid(close + 1, 1) != QLatin1String(":"))
            return invalid(QStringLiteral("a bracketed IPv6 address must be followed by \":PORT\""));
        host = value.mid(1, close - 1);
        portText = value.mid(close + 2);
        if (!address.setAddress(host) || address.protocol() != QAbstractSocket::IPv6Protocol)
            return invalid(QStringLiteral("'%1' is not an IPv6 address").arg(host));
    } else {
        const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return invalid(QStringLiteral("there is no port"));
        host = value.left(colon);
        portText = value.mid(colon + 1);
        if (host.contains(QLatin1Char(':')))
            return invalid(QStringLiteral("an IPv6 address goes in brackets"));
        if (!address.setAddress(host) || address.protocol() != QAbstractSocket::IPv4Protocol)
            return invalid(QStringLiteral("'%1' is not an IPv4 address").arg(host));
    }
    // toUInt alone would also take "+80" and " 80"; a port is digits only.
    const bool digitsOnly = !portText.isEmpty() && portText.size() <= 5 &&
                            std::all_of(portText.begin(), portText.end(),
                                        [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
    const uint port = digitsOnly ? portText.toUInt() : 65536;
    if (port > 65535)
        return invalid(QStringLiteral("the port must be a number from 0 to 65535"));
    listenHost = host;
    listenPort = static_cast<quint16>(port);
    listenEnabled = true;
    return {};
}

Result<void> EngineConfig::setStateDir(const QString &value, const QString &origin)
{
    if (value.isEmpty())
        return fail(ErrorCode::Config, QStringLiteral("%1 must be a directory path, got \"\"").arg(origin));
    stateDir = QDir::cleanPath(QDir::current().absoluteFilePath(value));
    return {};
}

} // namespace hive::engine
