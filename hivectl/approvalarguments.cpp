// SPDX-License-Identifier: MIT
#include "argumentchecks.h"
#include "subcommands.h"

#include <algorithm>
#include <array>

namespace hive::ctl {

using args::expectWords;
using args::idWord;
using args::usage;
using Command = Invocation::Command;

namespace {

/// Which command of its group each option belongs to ("" for the group's only command).
struct OptionOwner {
    const char *group;
    const char *option;
    const char *command;
};
constexpr std::array OptionOwners{
    OptionOwner{"approval", "all", "list"},   OptionOwner{"approval", "state", "list"},
    OptionOwner{"approval", "agent", "list"}, OptionOwner{"approval", "base", "show"},
    OptionOwner{"approval", "note", "deny"},  OptionOwner{"draft", "yes", "discard"},
};

/// The states `approval list --state` takes: the approvals' own, and "open" and "all".
constexpr std::array ListStates{"open", "pending", "approved", "building", "deployed", "failed", "denied", "all"};
constexpr std::array Bases{protocol::approvalbases::Running, protocol::approvalbases::Approved,
                           protocol::approvalbases::Queued};

Result<void> optionsFor(const QString &group, const QString &command, const QHash<QString, QString> &options)
{
    QStringList names = options.keys();
    names.sort();
    for (const QString &name : std::as_const(names)) {
        for (const OptionOwner &owner : OptionOwners) {
            if (group == QLatin1String(owner.group) && name == QLatin1String(owner.option) &&
                command != QLatin1String(owner.command)) {
                return usage(
                    QStringLiteral("option --%1 is only for '%2 %3'").arg(name, group, QLatin1String(owner.command)));
            }
        }
    }
    return {};
}

template<std::size_t N>
QString alternatives(const std::array<const char *, N> &words)
{
    QStringList names;
    for (const char *word : words)
        names << QLatin1String(word);
    const QString last = names.takeLast();
    return names.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

template<std::size_t N>
bool oneOf(const std::array<const char *, N> &words, const QString &word)
{
    return std::any_of(words.begin(), words.end(), [&word](const char *w) { return word == QLatin1String(w); });
}

Result<void> parseList(const QHash<QString, QString> &options, Invocation &invocation)
{
    invocation.command = Command::ApprovalList;
    protocol::ApprovalListParams &params = invocation.approvals;
    const bool all = options.contains(QStringLiteral("all"));
    if (all && options.contains(QStringLiteral("state")))
        return usage(QStringLiteral("give --all or --state, not both"));
    if (all)
        params.state = QStringLiteral("all");
    if (options.contains(QStringLiteral("state"))) {
        params.state = options.value(QStringLiteral("state"));
        if (!oneOf(ListStates, params.state)) {
            return usage(
                QStringLiteral("option --state: expected %1, got '%2'").arg(alternatives(ListStates), params.state));
        }
    }
    if (options.contains(QStringLiteral("agent"))) {
        params.agent = options.value(QStringLiteral("agent"));
        if (params.agent->isEmpty())
            return usage(QStringLiteral("option --agent must not be empty"));
    }
    return {};
}

Result<void> parseApproval(const QStringList &words, const QHash<QString, QString> &options, Invocation &invocation)
{
    const QString second = words.value(1);
    const QString commands = QStringLiteral("list, show, approve and deny");
    if (second.isEmpty())
        return usage(QStringLiteral("missing approval command: %1").arg(commands));
    if (auto ok = optionsFor(QStringLiteral("approval"), second, options); !ok)
        return ok;
    if (second == QLatin1String("list")) {
        if (auto ok = expectWords(words, 2, QStringLiteral("approval list [--all | --state S] [--agent NAME]")); !ok)
            return ok;
        return parseList(options, invocation);
    }
    QString usageLine;
    if (second == QLatin1String("show")) {
        invocation.command = Command::ApprovalShow;
        usageLine = QStringLiteral("approval show ID [--base running|approved|queued]");
    } else if (second == QLatin1String("approve")) {
        invocation.command = Command::ApprovalApprove;
        usageLine = QStringLiteral("approval approve ID");
    } else if (second == QLatin1String("deny")) {
        invocation.command = Command::ApprovalDeny;
        usageLine = QStringLiteral("approval deny ID --note TEXT");
    } else {
        return usage(QStringLiteral("unknown command 'approval %1'; there are %2").arg(second, commands));
    }
    if (auto ok = expectWords(words, 3, usageLine); !ok)
        return ok;
    auto id = idWord(words, 2, usageLine);
    if (!id)
        return fail(id.error());
    invocation.id = *id;
    if (options.contains(QStringLiteral("base"))) {
        invocation.base = options.value(QStringLiteral("base"));
        if (!oneOf(Bases, invocation.base))
            return usage(
                QStringLiteral("option --base: expected %1, got '%2'").arg(alternatives(Bases), invocation.base));
    }
    if (invocation.command == Command::ApprovalDeny) {
        // The note is what the requester learns about the denial: it is not optional.
        if (!options.contains(QStringLiteral("note")))
            return usage(QStringLiteral("missing --note, which tells the requester why: hivectl %1").arg(usageLine));
        invocation.note = options.value(QStringLiteral("note"));
        if (invocation.note.trimmed().isEmpty())
            return usage(QStringLiteral("option --note must not be empty: say why the approval is denied"));
    }
    return {};
}

Result<void> parseDraft(const QStringList &words, const QHash<QString, QString> &options, Invocation &invocation)
{
    const QString second = words.value(1);
    const QString commands = QStringLiteral("list and discard");
    if (second.isEmpty())
        return usage(QStringLiteral("missing draft command: %1").arg(commands));
    if (auto ok = optionsFor(QStringLiteral("draft"), second, options); !ok)
        return ok;
    if (second == QLatin1String("list")) {
        invocation.command = Command::DraftList;
        return expectWords(words, 2, QStringLiteral("draft list"));
    }
    if (second == QLatin1String("discard")) {
        invocation.command = Command::DraftDiscard;
        if (auto ok = expectWords(words, 3, QStringLiteral("draft discard NAME [--yes]")); !ok)
            return ok;
        invocation.name = words.at(2);
        invocation.yes = options.contains(QStringLiteral("yes"));
        return {};
    }
    return usage(QStringLiteral("unknown command 'draft %1'; there are %2").arg(second, commands));
}

} // namespace

Result<void> parseApprovalCommand(const QStringList &words, const QHash<QString, QString> &options,
                                  Invocation &invocation)
{
    const QString &first = words.first();
    if (first == QLatin1String("approval"))
        return parseApproval(words, options, invocation);
    if (first == QLatin1String("draft"))
        return parseDraft(words, options, invocation);
    if (first == QLatin1String("spawn")) {
        invocation.command = Command::Spawn;
        if (auto ok = expectWords(words, 2, QStringLiteral("spawn NAME [--description TEXT]")); !ok)
            return ok;
        invocation.name = words.at(1);
        invocation.description = options.value(QStringLiteral("description"));
        return {};
    }
    invocation.command = Command::Gc;
    invocation.dryRun = options.contains(QStringLiteral("dry-run"));
    return expectWords(words, 1, QStringLiteral("gc [--dry-run]"));
}

} // namespace hive::ctl
