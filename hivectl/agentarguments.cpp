// SPDX-License-Identifier: MIT
#include "argumentchecks.h"
#include "subcommands.h"

#include <array>

namespace hive::ctl {

using args::expectWords;
using args::usage;
using Command = Invocation::Command;

namespace {

/// The container lifecycle words after `agent`, with the operation each one asks for.
struct LifecycleWord {
    const char *word;
    protocol::LifecycleOp op;
};
constexpr std::array LifecycleWords{
    LifecycleWord{"spawn", protocol::LifecycleOp::Spawn},   LifecycleWord{"start", protocol::LifecycleOp::Start},
    LifecycleWord{"kill", protocol::LifecycleOp::Kill},     LifecycleWord{"restart", protocol::LifecycleOp::Restart},
    LifecycleWord{"update", protocol::LifecycleOp::Update}, LifecycleWord{"destroy", protocol::LifecycleOp::Destroy},
    LifecycleWord{"revive", protocol::LifecycleOp::Revive}, LifecycleWord{"purge", protocol::LifecycleOp::Purge},
};

/// The agent options share the `agent` group; each belongs to one of its commands.
Result<void> agentOptionsFor(const QString &command, const QHash<QString, QString> &options)
{
    QStringList names = options.keys();
    names.sort();
    for (const QString &name : std::as_const(names)) {
        const QString owner = name == QLatin1String("yes") ? QStringLiteral("purge") : QStringLiteral("spawn");
        if (owner != command)
            return usage(QStringLiteral("option --%1 is only for 'agent %2'").arg(name, owner));
    }
    return {};
}

Result<void> parseLifecycleCommand(const QStringList &words, const QHash<QString, QString> &options,
                                   protocol::LifecycleOp op, Invocation &invocation)
{
    if (auto ok = agentOptionsFor(words.at(1), options); !ok)
        return ok;
    QString usageLine = QStringLiteral("agent %1 NAME").arg(words.at(1));
    if (op == protocol::LifecycleOp::Spawn)
        usageLine += QStringLiteral(" [--network host|none] [--memory-max SIZE] [--cpu-quota PCT]");
    else if (op == protocol::LifecycleOp::Purge)
        usageLine += QStringLiteral(" [--yes]");
    if (auto ok = expectWords(words, 3, usageLine); !ok)
        return ok;
    invocation.command = Command::AgentLifecycle;
    invocation.lifecycleOp = op;
    invocation.name = words.at(2);
    invocation.spawn.name = invocation.name;
    invocation.yes = options.contains(QStringLiteral("yes"));
    if (options.contains(QStringLiteral("network"))) {
        const QString network = options.value(QStringLiteral("network"));
        if (network != QLatin1String("host") && network != QLatin1String("none"))
            return usage(QStringLiteral("option --network: expected host or none, got '%1'").arg(network));
        invocation.spawn.network = network;
    }
    // The size and the quota are checked by the engine alone: one rule and one message, for the
    // API and hivectl alike.
    if (options.contains(QStringLiteral("memory-max")))
        invocation.spawn.memoryMax = options.value(QStringLiteral("memory-max"));
    if (options.contains(QStringLiteral("cpu-quota")))
        invocation.spawn.cpuQuota = options.value(QStringLiteral("cpu-quota"));
    return {};
}

} // namespace

Result<void> parseAgentCommand(const QStringList &words, const QHash<QString, QString> &options, Invocation &invocation)
{
    const QString second = words.value(1);
    for (const LifecycleWord &lifecycle : LifecycleWords) {
        if (second == QLatin1String(lifecycle.word))
            return parseLifecycleCommand(words, options, lifecycle.op, invocation);
    }
    if (second == QLatin1String("add")) {
        invocation.command = Command::AgentAdd;
        if (auto ok = agentOptionsFor(second, options); !ok)
            return ok;
        if (auto ok = expectWords(words, 3, QStringLiteral("agent add NAME")); !ok)
            return ok;
        invocation.name = words.at(2);
        return {};
    }
    if (second == QLatin1String("list")) {
        invocation.command = Command::AgentList;
        if (auto ok = agentOptionsFor(second, options); !ok)
            return ok;
        return expectWords(words, 2, QStringLiteral("agent list"));
    }
    if (second == QLatin1String("shell")) {
        invocation.command = Command::AgentShell;
        if (auto ok = agentOptionsFor(second, options); !ok)
            return ok;
        if (auto ok = expectWords(words, 3, QStringLiteral("agent shell NAME")); !ok)
            return ok;
        invocation.name = words.at(2);
        return {};
    }
    if (second == QLatin1String("set-recipients")) {
        invocation.command = Command::AgentSetRecipients;
        if (auto ok = agentOptionsFor(second, options); !ok)
            return ok;
        if (words.size() < 3)
            return usage(QStringLiteral("missing argument: hivectl agent set-recipients NAME [RECIPIENT...]"));
        invocation.name = words.at(2);
        invocation.recipients = words.mid(3);
        return {};
    }
    const QString commands = QStringLiteral("add, list, set-recipients, spawn, start, kill, restart, update, destroy, "
                                            "revive, purge and shell");
    return usage(second.isEmpty() ? QStringLiteral("missing agent command: %1").arg(commands)
                                  : QStringLiteral("unknown command 'agent %1'; there are %2").arg(second, commands));
}

} // namespace hive::ctl
