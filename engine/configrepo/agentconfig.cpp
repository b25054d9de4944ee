// SPDX-License-Identifier: MIT
#include "agentconfig.h"

#include "containers/spawnsettings.h"

#include <QRegularExpression>
#include <QSet>

#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace hive::engine {

namespace {

constexpr qsizetype MaxDescription = 1024;
constexpr qsizetype MaxPrompt = 64 * 1024;
constexpr qsizetype MaxPattern = 256;

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

/// How many single-character edits turn `a` into `b`.
int editDistance(const QString &a, const QString &b)
{
    std::vector<int> row(static_cast<size_t>(b.size()) + 1);
    for (size_t j = 0; j < row.size(); ++j)
        row[j] = static_cast<int>(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = static_cast<int>(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[static_cast<size_t>(j)];
            row[static_cast<size_t>(j)] = std::min(
                {above + 1, row[static_cast<size_t>(j - 1)] + 1, diagonal + (a.at(i - 1) == b.at(j - 1) ? 0 : 1)});
            diagonal = above;
        }
    }
    return row.back();
}

QString typeName(const toml::node &node)
{
    switch (node.type()) {
    case toml::node_type::string:
        return QStringLiteral("a string");
    case toml::node_type::integer:
        return QStringLiteral("an integer");
    case toml::node_type::floating_point:
        return QStringLiteral("a float");
    case toml::node_type::boolean:
        return QStringLiteral("a boolean");
    case toml::node_type::array:
        return QStringLiteral("an array");
    case toml::node_type::table:
        return QStringLiteral("a table");
    default:
        return QStringLiteral("a date or time");
    }
}

struct Problem {
    toml::source_index line = 0;
    toml::source_index column = 0;
    QString text;
};

/// Walks the parsed file, converting what is right and collecting every problem.
class Reader
{
public:
    explicit Reader(QString file) : m_file(std::move(file)) {}

    void report(const toml::source_region &where, const QString &what, const QString &hint = {})
    {
        m_problems.push_back({where.begin.line, where.begin.column,
                              QStringLiteral("%1:%2:%3: %4%5")
                                  .arg(m_file)
                                  .arg(where.begin.line)
                                  .arg(where.begin.column)
                                  .arg(what, hint.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(hint))});
    }

    /// Unknown keys of `table` are problems, with the nearest known key as the hint.
    void checkKeys(const toml::table &table, const QString &where, const QStringList &known)
    {
        for (auto &&[key, node] : table) {
            const QString name = qs(key.str());
            if (known.contains(name))
                continue;
            QString nearest;
            int best = 3;
            for (const QString &candidate : known) {
                if (const int distance = editDistance(name, candidate); distance < best) {
                    best = distance;
                    nearest = candidate;
                }
            }
            report(key.source(), QStringLiteral("unknown key '%1'%2").arg(name, where),
                   nearest.isEmpty() ? QStringLiteral("known keys: %1").arg(known.join(QStringLiteral(", ")))
                                     : QStringLiteral("did you mean '%1'?").arg(nearest));
        }
    }

    std::optional<QString> string(const toml::node &node, const QString &key)
    {
        if (const auto *value = node.as_string())
            return qs(value->get());
        report(node.source(), QStringLiteral("'%1' must be a string, got %2").arg(key, typeName(node)));
        return std::nullopt;
    }

    /// An array of strings, each checked by `check` (which returns why it is wrong); duplicates are problems.
    std::optional<QStringList> strings(const toml::node &node, const QString &key,
                                       const std::function<std::optional<QString>(const QString &)> &check,
                                       const QString &hint = {})
    {
        const auto *array = node.as_array();
        if (!array) {
            report(node.source(), QStringLiteral("'%1' must be an array of strings, got %2").arg(key, typeName(node)));
            return std::nullopt;
        }
        QStringList out;
        bool ok = true;
        for (const toml::node &item : *array) {
            const auto value = string(item, key + QStringLiteral(" item"));
            if (!value) {
                ok = false;
                continue;
            }
            if (const auto problem = check(*value)) {
                report(item.source(), QStringLiteral("'%1': %2").arg(key, *problem), hint);
                ok = false;
            } else if (out.contains(*value)) {
                report(item.source(), QStringLiteral("'%1': '%2' is listed twice").arg(key, *value));
                ok = false;
            } else {
                out << *value;
            }
        }
        return ok ? std::optional<QStringList>(out) : std::nullopt;
    }

    [[nodiscard]] bool ok() const { return m_problems.empty(); }
    [[nodiscard]] QString summary()
    {
        std::stable_sort(m_problems.begin(), m_problems.end(), [](const Problem &a, const Problem &b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
        QStringList lines;
        for (const Problem &problem : m_problems)
            lines << problem.text;
        return lines.join(QLatin1Char('\n'));
    }

private:
    QString m_file;
    std::vector<Problem> m_problems;
};

std::optional<QString> recipientProblem(const QString &name)
{
    static const QRegularExpression agent(QStringLiteral("^[a-z][a-z0-9-]{0,11}$"));
    if (name == QLatin1String("*") || name == QLatin1String("operator") || agent.match(name).hasMatch())
        return std::nullopt;
    return QStringLiteral("'%1' is not an agent name, 'operator', 'manager' or '*'").arg(name);
}

std::optional<QString> toolProblem(const QString &tool)
{
    static const QRegularExpression name(QStringLiteral("^[A-Za-z][A-Za-z0-9_]{0,63}$"));
    if (tool == QLatin1String("Bash") || tool.startsWith(QLatin1String("Bash(")))
        return QStringLiteral("'%1': Bash is allowed through allowed_bash_patterns").arg(tool);
    if (tool.startsWith(QLatin1String("mcp__")))
        return QStringLiteral("'%1': an MCP server's tools go in its own allowed_tools").arg(tool);
    if (!name.match(tool).hasMatch())
        return QStringLiteral("'%1' is not a tool name (letters, digits and _)").arg(tool);
    return std::nullopt;
}

std::optional<QString> patternProblem(const QString &pattern)
{
    if (pattern.trimmed().isEmpty())
        return QStringLiteral("a pattern must not be empty");
    if (pattern.size() > MaxPattern)
        return QStringLiteral("'%1...' is longer than %2 characters").arg(pattern.left(20)).arg(MaxPattern);
    if (pattern.contains(QLatin1Char(')')) || pattern.contains(QLatin1Char('\n')))
        return QStringLiteral("'%1' must not contain ')' or a line break").arg(pattern);
    return std::nullopt;
}

void readPrompt(Reader &reader, const toml::node &node, AgentConfig &config)
{
    if (node.is_string()) {
        config.prompt = *reader.string(node, QStringLiteral("prompt"));
        if (config.prompt.size() > MaxPrompt)
            reader.report(node.source(), QStringLiteral("'prompt' is longer than %1 characters").arg(MaxPrompt),
                          QStringLiteral("put long text in a file: prompt = { file = \"prompt.md\" }"));
        return;
    }
    const auto *table = node.as_table();
    if (!table) {
        reader.report(
            node.source(),
            QStringLiteral("'prompt' must be a string or a table { file = \"...\" }, got %1").arg(typeName(node)));
        return;
    }
    reader.checkKeys(*table, QStringLiteral(" in 'prompt'"), {QStringLiteral("file")});
    const toml::node *file = table->get("file");
    if (!file) {
        reader.report(node.source(), QStringLiteral("'prompt' as a table needs 'file'"),
                      QStringLiteral("prompt = { file = \"prompt.md\" }"));
        return;
    }
    const auto path = reader.string(*file, QStringLiteral("prompt.file"));
    if (!path)
        return;
    static const QRegularExpression relative(QStringLiteral("^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\0]{1,255}$"));
    if (!relative.match(*path).hasMatch()) {
        reader.report(file->source(),
                      QStringLiteral("'prompt.file' must be a relative path inside the repo, got '%1'").arg(*path));
        return;
    }
    config.promptFile = *path;
}

void readMcpServers(Reader &reader, const toml::node &node, AgentConfig &config)
{
    const auto *servers = node.as_table();
    if (!servers) {
        reader.report(node.source(),
                      QStringLiteral("'extra_mcp_servers' must be a table of servers, got %1").arg(typeName(node)),
                      QStringLiteral("[extra_mcp_servers.NAME] with command = \"/path\""));
        return;
    }
    static const QRegularExpression serverName(QStringLiteral("^[a-z][a-z0-9_-]{0,31}$"));
    static const QRegularExpression envName(QStringLiteral("^[A-Z_][A-Z0-9_]{0,63}$"));
    for (auto &&[key, value] : *servers) {
        McpServerConfig server;
        server.name = qs(key.str());
        if (!serverName.match(server.name).hasMatch()) {
            reader.report(
                key.source(),
                QStringLiteral("MCP server name '%1' must be 1 to 32 of a-z, 0-9, _ and -, starting with a letter")
                    .arg(server.name));
        }
        const QString where = QStringLiteral("extra_mcp_servers.") + server.name;
        const auto *table = value.as_table();
        if (!table) {
            reader.report(value.source(), QStringLiteral("'%1' must be a table, got %2").arg(where, typeName(value)));
            continue;
        }
        reader.checkKeys(*table, QStringLiteral(" in [%1]").arg(where),
                         {QStringLiteral("command"), QStringLiteral("args"), QStringLiteral("env"),
                          QStringLiteral("allowed_tools")});
        if (const toml::node *command = table->get("command")) {
            if (const auto text = reader.string(*command, where + QStringLiteral(".command"))) {
                if (!text->startsWith(QLatin1Char('/')))
                    reader.report(command->source(),
                                  QStringLiteral("'%1.command' must be an absolute path inside the container, got '%2'")
                                      .arg(where, *text));
                server.command = *text;
            }
        } else {
            reader.report(key.source(), QStringLiteral("[%1] needs 'command'").arg(where),
                          QStringLiteral("command = \"/usr/local/bin/server\""));
        }
        if (const toml::node *args = table->get("args")) {
            if (auto list = reader.strings(*args, where + QStringLiteral(".args"),
                                           [](const QString &) { return std::optional<QString>(); }))
                server.args = *list;
        }
        if (const toml::node *env = table->get("env")) {
            if (const auto *variables = env->as_table()) {
                for (auto &&[name, variable] : *variables) {
                    const QString variableName = qs(name.str());
                    if (!envName.match(variableName).hasMatch())
                        reader.report(name.source(),
                                      QStringLiteral("'%1.env': '%2' is not an environment variable name (A-Z, 0-9, _)")
                                          .arg(where, variableName));
                    if (const auto text = reader.string(variable, where + QStringLiteral(".env.") + variableName))
                        server.env.insert(variableName, *text);
                }
            } else {
                reader.report(env->source(),
                              QStringLiteral("'%1.env' must be a table of strings, got %2").arg(where, typeName(*env)));
            }
        }
        if (const toml::node *tools = table->get("allowed_tools")) {
            static const QRegularExpression toolName(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
            if (auto list = reader.strings(*tools, where + QStringLiteral(".allowed_tools"),
                                           [](const QString &tool) -> std::optional<QString> {
                                               if (toolName.match(tool).hasMatch())
                                                   return std::nullopt;
                                               return QStringLiteral("'%1' is not a tool name").arg(tool);
                                           }))
                server.allowedTools = *list;
        }
        config.extraMcpServers.append(server);
    }
}

void readLimits(Reader &reader, const toml::node &node, AgentConfig &config)
{
    const auto *table = node.as_table();
    if (!table) {
        reader.report(node.source(), QStringLiteral("'limits' must be a table, got %1").arg(typeName(node)));
        return;
    }
    reader.checkKeys(*table, QStringLiteral(" in [limits]"), {QStringLiteral("memory"), QStringLiteral("cpu")});
    const std::pair<const char *, QString *> fields[] = {{"memory", &config.memoryMax}, {"cpu", &config.cpuQuota}};
    for (const auto &[name, out] : fields) {
        const toml::node *value = table->get(name);
        if (!value)
            continue;
        const QString key = QStringLiteral("limits.") + QLatin1String(name);
        if (const auto text = reader.string(*value, key)) {
            const auto problem =
                QLatin1String(name) == QLatin1String("memory") ? memoryMaxProblem(*text) : cpuQuotaProblem(*text);
            if (problem)
                reader.report(value->source(), QStringLiteral("'%1': %2").arg(key, *problem));
            else
                *out = *text;
        }
    }
}

void readBudget(Reader &reader, const toml::node &node, AgentConfig &config)
{
    const auto *table = node.as_table();
    if (!table) {
        reader.report(node.source(), QStringLiteral("'budget' must be a table, got %1").arg(typeName(node)));
        return;
    }
    reader.checkKeys(*table, QStringLiteral(" in [budget]"),
                     {QStringLiteral("tokens_per_day"), QStringLiteral("cost_per_day_usd")});
    if (const toml::node *tokens = table->get("tokens_per_day")) {
        if (const auto *value = tokens->as_integer(); value && value->get() >= 1)
            config.budgetTokensPerDay = value->get();
        else
            reader.report(tokens->source(),
                          QStringLiteral("'budget.tokens_per_day' must be a whole number of at least 1, got %1")
                              .arg(typeName(*tokens)));
    }
    if (const toml::node *cost = table->get("cost_per_day_usd")) {
        const std::optional<double> value =
            cost->is_floating_point() ? std::optional<double>(cost->as_floating_point()->get())
            : cost->is_integer()      ? std::optional<double>(double(cost->as_integer()->get()))
                                      : std::nullopt;
        if (value && *value > 0)
            config.budgetCostPerDayUsd = value;
        else
            reader.report(cost->source(), QStringLiteral("'budget.cost_per_day_usd' must be a number above 0"));
    }
    if (table->empty())
        reader.report(
            node.source(), QStringLiteral("[budget] sets nothing"),
            QStringLiteral("tokens_per_day = 2000000 and/or cost_per_day_usd = 20.0; leave it out for no budget"));
}

} // namespace

QStringList AgentConfig::cliAllowedTools() const
{
    QStringList tools = allowedTools;
    for (const QString &pattern : allowedBashPatterns)
        tools << QStringLiteral("Bash(%1)").arg(pattern);
    for (const McpServerConfig &server : extraMcpServers) {
        for (const QString &tool : server.allowedTools)
            tools << QStringLiteral("mcp__%1__%2").arg(server.name, tool);
    }
    return tools;
}

Result<AgentConfig> parseAgentConfig(const QByteArray &text, const QString &fileName)
{
    toml::table root;
    try {
        root =
            toml::parse(std::string_view(text.constData(), static_cast<size_t>(text.size())), fileName.toStdString());
    } catch (const toml::parse_error &error) {
        return fail(ErrorCode::Config, QStringLiteral("%1:%2:%3: TOML syntax error: %4")
                                           .arg(fileName)
                                           .arg(error.source().begin.line)
                                           .arg(error.source().begin.column)
                                           .arg(qs(error.description())));
    }
    Reader reader(fileName);
    AgentConfig config;
    const QStringList known = {QStringLiteral("description"),
                               QStringLiteral("model"),
                               QStringLiteral("prompt"),
                               QStringLiteral("allowed_recipients"),
                               QStringLiteral("allowed_tools"),
                               QStringLiteral("allowed_bash_patterns"),
                               QStringLiteral("extra_mcp_servers"),
                               QStringLiteral("limits"),
                               QStringLiteral("network"),
                               QStringLiteral("budget"),
                               QStringLiteral("terminal")};
    reader.checkKeys(root, QStringLiteral(" at the top level"), known);

    if (const toml::node *node = root.get("description")) {
        if (const auto value = reader.string(*node, QStringLiteral("description"))) {
            if (value->size() > MaxDescription)
                reader.report(node->source(),
                              QStringLiteral("'description' is longer than %1 characters").arg(MaxDescription));
            config.description = *value;
        }
    }
    if (const toml::node *node = root.get("model")) {
        static const QRegularExpression model(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"));
        if (const auto value = reader.string(*node, QStringLiteral("model"))) {
            if (!model.match(*value).hasMatch())
                reader.report(node->source(), QStringLiteral("'model': '%1' is not a model name").arg(*value),
                              QStringLiteral("e.g. \"claude-sonnet-4-5\"; leave it out for the engine's default"));
            config.model = *value;
        }
    }
    if (const toml::node *node = root.get("prompt"))
        readPrompt(reader, *node, config);
    if (const toml::node *node = root.get("allowed_recipients")) {
        if (auto list = reader.strings(*node, QStringLiteral("allowed_recipients"), recipientProblem))
            config.allowedRecipients = *list;
    }
    if (const toml::node *node = root.get("allowed_tools")) {
        if (auto list = reader.strings(*node, QStringLiteral("allowed_tools"), toolProblem))
            config.allowedTools = *list;
    }
    if (const toml::node *node = root.get("allowed_bash_patterns")) {
        if (auto list = reader.strings(*node, QStringLiteral("allowed_bash_patterns"), patternProblem,
                                       QStringLiteral("a pattern like \"git *\" becomes Bash(git *)")))
            config.allowedBashPatterns = *list;
    }
    if (const toml::node *node = root.get("extra_mcp_servers"))
        readMcpServers(reader, *node, config);
    if (const toml::node *node = root.get("limits"))
        readLimits(reader, *node, config);
    if (const toml::node *node = root.get("network")) {
        if (const auto value = reader.string(*node, QStringLiteral("network"))) {
            if (const auto problem = networkProblem(*value))
                reader.report(node->source(), QStringLiteral("'network': %1").arg(*problem));
            else
                config.network = *value;
        }
    }
    if (const toml::node *node = root.get("budget"))
        readBudget(reader, *node, config);
    if (const toml::node *node = root.get("terminal")) {
        if (const auto *value = node->as_boolean())
            config.terminal = value->get();
        else
            reader.report(node->source(),
                          QStringLiteral("'terminal' must be true or false, got %1").arg(typeName(*node)));
    }
    if (!reader.ok())
        return fail(ErrorCode::Config, reader.summary());
    return config;
}

} // namespace hive::engine
