// SPDX-License-Identifier: MIT
#include "capabilitydelta.h"

#include "containers/spawnsettings.h"

#include <QRegularExpression>

#include <functional>

namespace hive::engine {

namespace {

using protocol::CapabilityChange;

const QString Added = QStringLiteral("added");
const QString Removed = QStringLiteral("removed");
const QString Changed = QStringLiteral("changed");
const QString Anyone = QStringLiteral("*");

class Delta
{
public:
    void add(const QString &area, const QString &item, const QString &change, std::optional<QString> before,
             std::optional<QString> after, bool widening)
    {
        m_changes.append(CapabilityChange{area, item, change, std::move(before), std::move(after), widening});
    }

    /// Added entries (in the order of `after`) widen, removed ones (in the order of `before`)
    /// narrow; `prefix` goes before each item ("NAME/" for a server's tools).
    void lists(const QString &area, const QStringList &before, const QStringList &after, const QString &prefix = {})
    {
        for (const QString &item : after) {
            if (!before.contains(item))
                add(area, prefix + item, Added, std::nullopt, std::nullopt, true);
        }
        for (const QString &item : before) {
            if (!after.contains(item))
                add(area, prefix + item, Removed, std::nullopt, std::nullopt, false);
        }
    }

    [[nodiscard]] QList<CapabilityChange> take() { return std::move(m_changes); }

private:
    QList<CapabilityChange> m_changes;
};

bool anyone(const QStringList &recipients)
{
    return recipients.isEmpty() || recipients.contains(Anyone);
}

void recipients(Delta &delta, const QStringList &before, const QStringList &after)
{
    const QString area = QStringLiteral("recipients");
    // Names next to "*" add nothing to it, so "anyone" is compared as one thing.
    if (anyone(before) && anyone(after))
        return;
    if (anyone(before))
        delta.add(area, Anyone, Removed, std::nullopt, std::nullopt, false);
    else if (anyone(after))
        delta.add(area, Anyone, Added, std::nullopt, std::nullopt, true);
    else
        delta.lists(area, before, after);
}

// One shell-like word: quoted when a shell would split or expand it.
QString shellWord(const QString &word)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    if (plain.match(word).hasMatch())
        return word;
    QString quoted = word;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

// What the server runs, as one line: NAME=VALUE for its environment, the command, its arguments.
QString commandLine(const McpServerConfig &server)
{
    QStringList words;
    for (auto it = server.env.cbegin(); it != server.env.cend(); ++it)
        words << it.key() + QLatin1Char('=') + shellWord(it.value());
    words << shellWord(server.command);
    for (const QString &arg : server.args)
        words << shellWord(arg);
    return words.join(QLatin1Char(' '));
}

const McpServerConfig *findServer(const QList<McpServerConfig> &servers, const QString &name)
{
    for (const McpServerConfig &server : servers) {
        if (server.name == name)
            return &server;
    }
    return nullptr;
}

void mcpServers(Delta &delta, const QList<McpServerConfig> &before, const QList<McpServerConfig> &after)
{
    const QString area = QStringLiteral("mcp_servers");
    QStringList names;
    for (const McpServerConfig &server : before)
        names << server.name;
    for (const McpServerConfig &server : after)
        names << server.name;
    names.removeDuplicates();
    names.sort();
    for (const QString &name : names) {
        const McpServerConfig *old = findServer(before, name);
        const McpServerConfig *now = findServer(after, name);
        if (!old) {
            delta.add(area, name, Added, std::nullopt, now->command, true);
        } else if (!now) {
            delta.add(area, name, Removed, old->command, std::nullopt, false);
        } else if (old->command != now->command || old->args != now->args || old->env != now->env) {
            // Whatever its tools are called, they now run different code.
            delta.add(area, name, Changed, commandLine(*old), commandLine(*now), true);
        }
        delta.lists(area, old ? old->allowedTools : QStringList(), now ? now->allowedTools : QStringList(),
                    name + QLatin1Char('/'));
    }
}

// A limit whose value did not change (4096M and 4G) is no change. A value that does not parse
// (a config built by hand, not read) counts as widening, so that the operator looks at it.
template<typename Parse>
void limit(Delta &delta, const QString &item, const QString &before, const QString &after, Parse parse)
{
    if (before == after)
        return;
    const auto old = parse(before);
    const auto now = parse(after);
    if (old && now && *old == *now)
        return;
    const bool widening = !old || !now || *now > *old;
    delta.add(QStringLiteral("limits"), item, Changed, before, after, widening);
}

// Absent is unlimited: a budget added narrows, one removed widens, one raised widens.
template<typename T>
void budget(Delta &delta, const QString &item, const std::optional<T> &before, const std::optional<T> &after,
            const std::function<QString(T)> &show)
{
    if (before == after)
        return;
    const QString area = QStringLiteral("budget");
    if (!before)
        delta.add(area, item, Added, std::nullopt, show(*after), false);
    else if (!after)
        delta.add(area, item, Removed, show(*before), std::nullopt, true);
    else
        delta.add(area, item, Changed, show(*before), show(*after), *after > *before);
}

QString boolText(bool value)
{
    return value ? QStringLiteral("true") : QStringLiteral("false");
}

} // namespace

QList<protocol::CapabilityChange> capabilityDelta(const AgentConfig &before, const AgentConfig &after)
{
    Delta delta;
    recipients(delta, before.allowedRecipients, after.allowedRecipients);
    delta.lists(QStringLiteral("tools"), before.allowedTools, after.allowedTools);
    delta.lists(QStringLiteral("bash_patterns"), before.allowedBashPatterns, after.allowedBashPatterns);
    mcpServers(delta, before.extraMcpServers, after.extraMcpServers);
    limit(delta, QStringLiteral("memory"), before.memoryMax, after.memoryMax, parseMemoryMax);
    limit(delta, QStringLiteral("cpu"), before.cpuQuota, after.cpuQuota, parseCpuQuota);
    if (before.network != after.network) {
        delta.add(QStringLiteral("network"), QStringLiteral("network"), Changed, before.network, after.network,
                  after.network == QLatin1String("host"));
    }
    budget<qint64>(delta, QStringLiteral("tokens_per_day"), before.budgetTokensPerDay, after.budgetTokensPerDay,
                   [](qint64 tokens) { return QString::number(tokens); });
    budget<double>(delta, QStringLiteral("cost_per_day_usd"), before.budgetCostPerDayUsd, after.budgetCostPerDayUsd,
                   [](double usd) { return QString::number(usd, 'g', 15); });
    if (before.terminal != after.terminal) {
        delta.add(QStringLiteral("terminal"), QStringLiteral("terminal"), Changed, boolText(before.terminal),
                  boolText(after.terminal), after.terminal);
    }
    return delta.take();
}

} // namespace hive::engine
