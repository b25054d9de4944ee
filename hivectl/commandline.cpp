// SPDX-License-Identifier: MIT
#include "commandline.h"

#include "fingerprint.h"
#include "knownengines.h"
#include "protocol/role.h"
#include "statepaths.h"

#include <QDir>
#include <QHash>

#include <array>
#include <cmath>
#include <limits>

namespace hive::ctl {

namespace {

using Command = Invocation::Command;

struct OptionSpec {
    const char *group; ///< the first command word it belongs to; empty for global options
    const char *name;
    bool takesValue;
};

constexpr std::array Options{
    OptionSpec{"", "state-dir", true},
    OptionSpec{"", "url", true},
    OptionSpec{"", "token", true},
    OptionSpec{"", "token-file", true},
    OptionSpec{"", "trust-fingerprint", true},
    OptionSpec{"", "json", false},
    OptionSpec{"", "timeout", true},
    OptionSpec{"", "help", false},
    OptionSpec{"", "version", false},
    OptionSpec{"token", "role", true},
    OptionSpec{"audit", "limit", true},
    OptionSpec{"audit", "token", true},
    OptionSpec{"audit", "method", true},
    OptionSpec{"audit", "before", true},
    OptionSpec{"audit", "verify", false},
    OptionSpec{"events", "since", true},
    OptionSpec{"events", "count", true},
    OptionSpec{"send", "reply-to", true},
    OptionSpec{"inbox", "agent", true},
    OptionSpec{"inbox", "limit", true},
    OptionSpec{"inbox", "before", true},
    OptionSpec{"questions", "agent", true},
    OptionSpec{"questions", "state", true},
    OptionSpec{"questions", "limit", true},
    OptionSpec{"questions", "before", true},
    OptionSpec{"reminders", "agent", true},
    OptionSpec{"reminders", "state", true},
    OptionSpec{"reminders", "limit", true},
    OptionSpec{"reminders", "before", true},
    OptionSpec{"threads", "agent", true},
    OptionSpec{"agent", "network", true},
    OptionSpec{"agent", "memory-max", true},
    OptionSpec{"agent", "cpu-quota", true},
    OptionSpec{"agent", "yes", false},
};

const OptionSpec *findOption(const QString &group, const QString &name)
{
    for (const OptionSpec &spec : Options) {
        if (group == QLatin1String(spec.group) && name == QLatin1String(spec.name))
            return &spec;
    }
    return nullptr;
}

Unexpected usage(const QString &message)
{
    return fail(ErrorCode::InvalidParams, message + QStringLiteral(" (see hivectl --help)"));
}

/// What the scan of the arguments found, before any meaning is given to it.
struct Scanned {
    QStringList words;
    QHash<QString, QString> global;
    QHash<QString, QString> command;
};

Result<Scanned> scan(const QStringList &arguments)
{
    Scanned scanned;
    bool optionsEnded = false;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        QString arg = arguments.at(i);
        if (optionsEnded || !arg.startsWith(QLatin1Char('-')) || arg == QLatin1String("-")) {
            scanned.words << arg;
            continue;
        }
        if (arg == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        if (arg == QLatin1String("-h"))
            arg = QStringLiteral("--help");
        if (!arg.startsWith(QLatin1String("--")))
            return usage(QStringLiteral("unknown option '%1'").arg(arg));

        QString name = arg.mid(2);
        std::optional<QString> value;
        if (const qsizetype eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
            value = name.mid(eq + 1);
            name.truncate(eq);
        }
        const QString group = scanned.words.isEmpty() ? QString() : scanned.words.first();
        const OptionSpec *spec = group.isEmpty() ? nullptr : findOption(group, name);
        const bool isCommandOption = spec != nullptr;
        if (!spec)
            spec = findOption(QString(), name);
        if (!spec) {
            return usage(group.isEmpty() ? QStringLiteral("unknown option '--%1'").arg(name)
                                         : QStringLiteral("unknown option '--%1' for '%2'").arg(name, group));
        }
        if (spec->takesValue && !value) {
            if (i + 1 >= arguments.size())
                return usage(QStringLiteral("option --%1 needs a value").arg(name));
            value = arguments.at(++i);
        } else if (!spec->takesValue && value) {
            return usage(QStringLiteral("option --%1 takes no value").arg(name));
        }
        (isCommandOption ? scanned.command : scanned.global).insert(name, value.value_or(QString()));
    }
    return scanned;
}

Result<qint64> integerOption(const QHash<QString, QString> &options, const QString &name, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = options.value(name).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        return usage(QStringLiteral("option --%1: expected a whole number from %2 to %3, got '%4'")
                         .arg(name)
                         .arg(min)
                         .arg(max)
                         .arg(options.value(name)));
    }
    return value;
}

Result<void> parseUrl(const QString &text, Invocation &invocation)
{
    const QUrl url(text, QUrl::StrictMode);
    const auto bad = [&](const QString &why) {
        return usage(QStringLiteral("option --url: %1; expected wss://HOST[:PORT], got '%2'").arg(why, text));
    };
    if (!url.isValid() || url.host().isEmpty())
        return bad(QStringLiteral("not a URL with a host"));
    if (url.scheme() != QLatin1String("wss"))
        return bad(QStringLiteral("the engine is only reached over TLS (wss://)"));
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment() ||
        (!url.path().isEmpty() && url.path() != QLatin1String("/")))
        return bad(QStringLiteral("no user, path, query or fragment is allowed"));
    const int port = url.port(protocol::DefaultPort);
    if (port < 1)
        return bad(QStringLiteral("port 0 is not a port to connect to"));
    invocation.host = url.host();
    invocation.port = port;
    return {};
}

Result<void> parseGlobals(const QHash<QString, QString> &global, Invocation &invocation)
{
    invocation.json = global.contains(QStringLiteral("json"));

    if (global.contains(QStringLiteral("timeout"))) {
        bool ok = false;
        const double seconds = global.value(QStringLiteral("timeout")).toDouble(&ok);
        if (!ok || !std::isfinite(seconds) || seconds <= 0 || seconds > 24 * 3600) {
            return usage(QStringLiteral("option --timeout: expected seconds from 0 to 86400, got '%1'")
                             .arg(global.value(QStringLiteral("timeout"))));
        }
        invocation.timeoutMs = std::max(1, static_cast<int>(std::lround(seconds * 1000)));
        invocation.lifecycleTimeoutMs = invocation.timeoutMs;
    }

    if (global.contains(QStringLiteral("url"))) {
        if (global.contains(QStringLiteral("state-dir")))
            return usage(QStringLiteral("--url and --state-dir exclude each other: remote or local, not both"));
        if (auto parsed = parseUrl(global.value(QStringLiteral("url")), invocation); !parsed)
            return parsed;
    } else {
        for (const char *remoteOnly : {"token", "token-file", "trust-fingerprint"}) {
            if (global.contains(QLatin1String(remoteOnly))) {
                return usage(QStringLiteral("--%1 is only for remote engines (--url); the admin socket needs none")
                                 .arg(QLatin1String(remoteOnly)));
            }
        }
        const QString stateDir = global.value(QStringLiteral("state-dir"), paths::defaultStateDir());
        if (stateDir.isEmpty())
            return usage(QStringLiteral("option --state-dir must not be empty"));
        // QLocalSocket takes a relative name for one in the system's temp dir, not a path.
        invocation.stateDir = QDir(stateDir).absolutePath();
    }

    if (global.contains(QStringLiteral("token")) && global.contains(QStringLiteral("token-file")))
        return usage(QStringLiteral("give the token once: --token or --token-file"));
    if (global.contains(QStringLiteral("token")))
        invocation.token = global.value(QStringLiteral("token"));
    if (global.contains(QStringLiteral("token-file")))
        invocation.tokenFile = global.value(QStringLiteral("token-file"));

    if (global.contains(QStringLiteral("trust-fingerprint"))) {
        const QString given = global.value(QStringLiteral("trust-fingerprint"));
        const auto canonical = normalizeFingerprint(given);
        if (!canonical) {
            return usage(QStringLiteral("option --trust-fingerprint: '%1' is not a SHA-256 fingerprint (64 hex "
                                        "digits, with or without colons)")
                             .arg(given));
        }
        invocation.trustFingerprint = *canonical;
    }
    return {};
}

Result<void> expectWords(const QStringList &words, qsizetype count, const QString &usageLine)
{
    if (words.size() < count)
        return usage(QStringLiteral("missing argument: hivectl %1").arg(usageLine));
    if (words.size() > count)
        return usage(QStringLiteral("unexpected argument '%1': hivectl %2").arg(words.at(count), usageLine));
    return {};
}

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

Result<qint64> idWord(const QStringList &words, qsizetype index, const QString &usageLine)
{
    if (words.size() <= index)
        return usage(QStringLiteral("missing argument: hivectl %1").arg(usageLine));
    bool ok = false;
    const qint64 id = words.at(index).toLongLong(&ok);
    if (!ok || id <= 0)
        return usage(
            QStringLiteral("'%1' is not an id (a positive integer): hivectl %2").arg(words.at(index), usageLine));
    return id;
}

/// --agent, --limit and --before of the list commands.
Result<void> listOptions(const QHash<QString, QString> &options, std::optional<QString> &agent, int &limit,
                         int maxLimit, std::optional<qint64> &before)
{
    if (options.contains(QStringLiteral("agent"))) {
        agent = options.value(QStringLiteral("agent"));
        if (agent->isEmpty())
            return usage(QStringLiteral("option --agent must not be empty"));
    }
    if (options.contains(QStringLiteral("limit"))) {
        auto parsed = integerOption(options, QStringLiteral("limit"), 1, maxLimit);
        if (!parsed)
            return fail(parsed.error());
        limit = static_cast<int>(*parsed);
    }
    if (options.contains(QStringLiteral("before"))) {
        auto parsed = integerOption(options, QStringLiteral("before"), 1, std::numeric_limits<qint64>::max());
        if (!parsed)
            return fail(parsed.error());
        before = *parsed;
    }
    return {};
}

Result<void> parseThreadCommand(const QStringList &words, const QHash<QString, QString> &options,
                                Invocation &invocation)
{
    const QString first = words.first();
    const QString second = words.value(1);
    const auto noOptions = [&](const QString &command) -> Result<void> {
        if (!options.isEmpty())
            return usage(QStringLiteral("'%1' takes no options").arg(command));
        return {};
    };
    if (first == QLatin1String("answer")) {
        invocation.command = Command::Answer;
        auto id = idWord(words, 1, QStringLiteral("answer ID ANSWER..."));
        if (!id)
            return fail(id.error());
        invocation.id = *id;
        if (words.size() < 3)
            return usage(QStringLiteral("missing argument: hivectl answer ID ANSWER..."));
        invocation.answer = words.mid(2).join(QLatin1Char(' '));
        return {};
    }
    if (first == QLatin1String("threads")) {
        invocation.command = Command::ThreadList;
        if (auto ok = expectWords(words, 1, QStringLiteral("threads [--agent NAME]")); !ok)
            return ok;
        if (options.contains(QStringLiteral("agent"))) {
            invocation.threads.agent = options.value(QStringLiteral("agent"));
            if (invocation.threads.agent->isEmpty())
                return usage(QStringLiteral("option --agent must not be empty"));
        }
        return {};
    }
    const bool questions = first == QLatin1String("questions");
    const QString noun = questions ? QStringLiteral("questions") : QStringLiteral("reminders");
    if (second == QLatin1String("cancel") || (!questions && second == QLatin1String("retry"))) {
        const QString usageLine = QStringLiteral("%1 %2 ID").arg(noun, second);
        if (auto ok = noOptions(QStringLiteral("%1 %2").arg(noun, second)); !ok)
            return ok;
        if (auto ok = expectWords(words, 3, usageLine); !ok)
            return ok;
        auto id = idWord(words, 2, usageLine);
        if (!id)
            return fail(id.error());
        invocation.id = *id;
        if (questions)
            invocation.command = Command::QuestionCancel;
        else
            invocation.command = second == QLatin1String("retry") ? Command::ReminderRetry : Command::ReminderCancel;
        return {};
    }
    if (!second.isEmpty()) {
        return usage(questions
                         ? QStringLiteral("unknown command 'questions %1'; there is cancel").arg(second)
                         : QStringLiteral("unknown command 'reminders %1'; there are retry and cancel").arg(second));
    }
    const QString state = options.value(QStringLiteral("state"));
    if (questions) {
        invocation.command = Command::QuestionList;
        if (options.contains(QStringLiteral("state"))) {
            if (!protocol::isQuestionState(state) && state != QLatin1String("all"))
                return usage(QStringLiteral("--state must be open, answered, expired, cancelled or all"));
            invocation.questions.state = state;
        }
        return listOptions(options, invocation.questions.agent, invocation.questions.limit,
                           protocol::QuestionListMaxLimit, invocation.questions.beforeId);
    }
    invocation.command = Command::ReminderList;
    if (options.contains(QStringLiteral("state"))) {
        if (!protocol::isReminderState(state) && state != QLatin1String("all"))
            return usage(QStringLiteral("--state must be pending, delivered, failed, cancelled or all"));
        if (state != QLatin1String("all"))
            invocation.reminders.state = state;
    }
    return listOptions(options, invocation.reminders.agent, invocation.reminders.limit, protocol::ReminderListMaxLimit,
                       invocation.reminders.beforeId);
}

Result<void> parseCommand(const Scanned &scanned, Invocation &invocation)
{
    const QStringList &words = scanned.words;
    const QHash<QString, QString> &options = scanned.command;
    const QString first = words.first();
    const QString second = words.value(1);
    const auto only = [&](const QString &option, const QString &command) -> Result<void> {
        if (options.contains(option))
            return usage(QStringLiteral("option --%1 is only for '%2'").arg(option, command));
        return {};
    };

    if (first == QLatin1String("help")) {
        invocation.command = Command::Help;
        return {};
    }
    if (first == QLatin1String("status")) {
        invocation.command = Command::Status;
        return expectWords(words, 1, QStringLiteral("status"));
    }
    if (first == QLatin1String("cert")) {
        invocation.command = Command::CertFingerprint;
        if (words.size() >= 2 && second != QLatin1String("fingerprint"))
            return usage(QStringLiteral("unknown command 'cert %1'; there is 'cert fingerprint'").arg(second));
        return expectWords(words, 2, QStringLiteral("cert fingerprint"));
    }
    if (first == QLatin1String("token")) {
        if (second == QLatin1String("create")) {
            invocation.command = Command::TokenCreate;
            const QString line = QStringLiteral("token create NAME --role viewer|operator|admin");
            if (auto ok = expectWords(words, 3, line); !ok)
                return ok;
            invocation.name = words.at(2);
            if (!options.contains(QStringLiteral("role")))
                return usage(QStringLiteral("missing --role: hivectl %1").arg(line));
            const QString role = options.value(QStringLiteral("role"));
            if (!parseRole(role))
                return usage(QStringLiteral("option --role: expected viewer, operator or admin, got '%1'").arg(role));
            invocation.role = role;
            return {};
        }
        if (auto ok = only(QStringLiteral("role"), QStringLiteral("token create")); !ok)
            return ok;
        if (second == QLatin1String("list")) {
            invocation.command = Command::TokenList;
            return expectWords(words, 2, QStringLiteral("token list"));
        }
        if (second == QLatin1String("revoke")) {
            invocation.command = Command::TokenRevoke;
            if (auto ok = expectWords(words, 3, QStringLiteral("token revoke NAME")); !ok)
                return ok;
            invocation.name = words.at(2);
            return {};
        }
        return usage(second.isEmpty()
                         ? QStringLiteral("missing token command: create, list or revoke")
                         : QStringLiteral("unknown command 'token %1'; there are create, list and revoke").arg(second));
    }
    if (first == QLatin1String("audit")) {
        if (auto ok = expectWords(words, 1, QStringLiteral("audit [--verify]")); !ok)
            return ok;
        if (options.contains(QStringLiteral("verify"))) {
            invocation.command = Command::AuditVerify;
            for (const char *filter : {"limit", "token", "method", "before"}) {
                if (options.contains(QLatin1String(filter))) {
                    return usage(QStringLiteral("option --%1 lists rows; audit --verify checks them all")
                                     .arg(QLatin1String(filter)));
                }
            }
            return {};
        }
        invocation.command = Command::AuditList;
        if (options.contains(QStringLiteral("limit"))) {
            auto limit = integerOption(options, QStringLiteral("limit"), 1, 1000);
            if (!limit)
                return fail(limit.error());
            invocation.audit.limit = static_cast<int>(*limit);
        }
        if (options.contains(QStringLiteral("before"))) {
            auto before = integerOption(options, QStringLiteral("before"), 1, std::numeric_limits<qint64>::max());
            if (!before)
                return fail(before.error());
            invocation.audit.beforeId = *before;
        }
        if (options.contains(QStringLiteral("token")))
            invocation.audit.tokenName = options.value(QStringLiteral("token"));
        if (options.contains(QStringLiteral("method")))
            invocation.audit.method = options.value(QStringLiteral("method"));
        return {};
    }
    if (first == QLatin1String("events")) {
        invocation.command = Command::Events;
        if (auto ok = expectWords(words, 1, QStringLiteral("events [--since N] [--count N]")); !ok)
            return ok;
        if (options.contains(QStringLiteral("since"))) {
            auto since = integerOption(options, QStringLiteral("since"), 0, std::numeric_limits<qint64>::max());
            if (!since)
                return fail(since.error());
            invocation.sinceSeq = *since;
        }
        if (options.contains(QStringLiteral("count"))) {
            auto count = integerOption(options, QStringLiteral("count"), 1, std::numeric_limits<qint64>::max());
            if (!count)
                return fail(count.error());
            invocation.count = *count;
        }
        return {};
    }
    if (first == QLatin1String("agent"))
        return parseAgentCommand(words, options, invocation);
    if (first == QLatin1String("send")) {
        invocation.command = Command::Send;
        if (words.size() < 3)
            return usage(QStringLiteral("missing argument: hivectl send TO BODY... [--reply-to ID]"));
        invocation.message.to = words.at(1);
        // The body is the rest of the words, so that it needs no quoting as one argument.
        invocation.message.body = words.mid(2).join(QLatin1Char(' '));
        if (options.contains(QStringLiteral("reply-to"))) {
            auto replyTo = integerOption(options, QStringLiteral("reply-to"), 1, std::numeric_limits<qint64>::max());
            if (!replyTo)
                return fail(replyTo.error());
            invocation.message.inReplyTo = *replyTo;
        }
        return {};
    }
    if (first == QLatin1String("inbox")) {
        invocation.command = Command::Inbox;
        if (auto ok = expectWords(words, 1, QStringLiteral("inbox [--agent NAME] [--limit N] [--before ID]")); !ok)
            return ok;
        if (options.contains(QStringLiteral("agent"))) {
            invocation.inbox.agent = options.value(QStringLiteral("agent"));
            if (invocation.inbox.agent->isEmpty())
                return usage(QStringLiteral("option --agent must not be empty"));
        }
        if (options.contains(QStringLiteral("limit"))) {
            auto limit = integerOption(options, QStringLiteral("limit"), 1, protocol::MessageListMaxLimit);
            if (!limit)
                return fail(limit.error());
            invocation.inbox.limit = static_cast<int>(*limit);
        }
        if (options.contains(QStringLiteral("before"))) {
            auto before = integerOption(options, QStringLiteral("before"), 1, std::numeric_limits<qint64>::max());
            if (!before)
                return fail(before.error());
            invocation.inbox.beforeId = *before;
        }
        return {};
    }
    if (first == QLatin1String("questions") || first == QLatin1String("reminders") ||
        first == QLatin1String("answer") || first == QLatin1String("threads"))
        return parseThreadCommand(words, options, invocation);
    return usage(QStringLiteral("unknown command '%1'").arg(first));
}

} // namespace

Result<Invocation> CommandLine::parse(const QStringList &arguments)
{
    auto scanned = scan(arguments);
    if (!scanned)
        return fail(scanned.error());

    Invocation invocation;
    if (scanned->global.contains(QStringLiteral("help"))) {
        invocation.command = Command::Help;
        return invocation;
    }
    if (scanned->global.contains(QStringLiteral("version"))) {
        invocation.command = Command::Version;
        return invocation;
    }
    if (scanned->words.isEmpty())
        return usage(QStringLiteral("no command given"));
    if (auto parsed = parseCommand(*scanned, invocation); !parsed)
        return fail(parsed.error());
    if (invocation.command == Command::Help)
        return invocation;
    if (auto parsed = parseGlobals(scanned->global, invocation); !parsed)
        return fail(parsed.error());
    return invocation;
}

QString CommandLine::helpText()
{
    return QStringLiteral(
               "Usage: hivectl [OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
               "\n"
               "Controls a hyperhive engine: through its admin socket on this host (the default), or over\n"
               "TLS (--url) with an API token.\n"
               "\n"
               "Commands:\n"
               "  status                       what the engine runs and holds\n"
               "  token create NAME --role R   create an API token (R: viewer, operator or admin); the secret\n"
               "                               is printed once and cannot be shown again\n"
               "  token list                   list the API tokens (never their secrets)\n"
               "  token revoke NAME            revoke a token and close its connections\n"
               "  audit [--limit N] [--token NAME] [--method M] [--before ID]\n"
               "                               the audit log, newest first (--limit 1..1000, default 100;\n"
               "                               --before pages back to older rows)\n"
               "  audit --verify               check the audit log's hash chain\n"
               "  cert fingerprint             the SHA-256 fingerprint of the engine's TLS certificate; with\n"
               "                               --url, the one the engine presents (unverified, nothing pinned)\n"
               "  events [--since N] [--count N]\n"
               "                               follow the engine's events until Ctrl-C (--since N first replays\n"
               "                               the kept events after seq N; --count stops after N events)\n"
               "  agent add NAME               register an agent without a container: its state dir and its\n"
               "                               socket (admin)\n"
               "  agent list                   the agents with their unread and in-flight message counts\n"
               "  agent set-recipients NAME [RECIPIENT...]\n"
               "                               whom the agent may send to (agents, operator, *; the manager\n"
               "                               always); no recipients = anyone\n"
               "  agent spawn NAME [--network host|none] [--memory-max SIZE] [--cpu-quota PCT]\n"
               "                               register an agent and start its container (defaults: host, 4G,\n"
               "                               200%; 100% = one core)\n"
               "  agent start|kill|restart NAME\n"
               "                               start, stop (SIGTERM, SIGKILL after the engine's grace) or\n"
               "                               restart the agent's container\n"
               "  agent update NAME            stop the container, rebuild its root tree and start it again\n"
               "  agent destroy NAME           stop the container and keep the agent as a tombstone: its files\n"
               "                               stay, its socket closes, messages to it queue up\n"
               "  agent revive NAME            bring a tombstone back and start it\n"
               "  agent purge NAME [--yes]     delete an agent for good, its files included (admin); asks for\n"
               "                               its name to be typed unless --yes is given\n"
               "  agent shell NAME             a root login shell inside the agent's running container; at a\n"
               "                               terminal every key goes to it, from a pipe stdin is typed into\n"
               "                               it; exits with the shell's exit code\n"
               "  send TO BODY... [--reply-to ID]\n"
               "                               send a message as the operator to an agent, manager or * (every\n"
               "                               agent); prints its id. Put -- before a body that starts with -\n"
               "  inbox [--agent NAME] [--limit N] [--before ID]\n"
               "                               messages, newest first: the operator's inbox, or with --agent\n"
               "                               everything that agent sent or received (--limit 1..500,\n"
               "                               default 50; --before pages back to older messages)\n"
               "  questions [--state S] [--agent NAME] [--limit N] [--before ID]\n"
               "                               questions, newest first (S: open (default), answered, expired,\n"
               "                               cancelled or all; --agent: asked by or of NAME, or operator)\n"
               "  questions cancel ID          withdraw an open question; its asker is told\n"
               "  answer ID ANSWER...          answer a question as the operator, a peer's question included\n"
               "  reminders [--state S] [--agent NAME] [--limit N] [--before ID]\n"
               "                               reminders, newest first (S: pending, delivered, failed or\n"
               "                               cancelled; default all)\n"
               "  reminders retry ID           deliver a failed (or pending) reminder now, with fresh attempts\n"
               "  reminders cancel ID          cancel a pending or failed reminder\n"
               "  threads [--agent NAME]       open work: open questions, and reminders pending or failed\n"
               "\n"
               "Options:\n"
               "  --state-dir DIR              the local engine's state dir (default: %1)\n"
               "  --url wss://HOST[:PORT]      a remote engine (default port %2)\n"
               "  --token TOKEN                the API token for --url; visible to other users in the process\n"
               "                               list, so prefer HIVE_TOKEN or --token-file\n"
               "  --token-file FILE            read the API token from FILE\n"
               "  --trust-fingerprint SHA256   trust a not yet known engine if it presents this certificate\n"
               "                               fingerprint, and pin it\n"
               "  --json                       print the result as JSON (events: one object per line)\n"
               "  --timeout SECONDS            give up waiting for the engine after this long (default 30;\n"
               "                               900 for the agent commands from spawn to purge, which wait\n"
               "                               for the container)\n"
               "  -h, --help                   show this help\n"
               "  --version                    show hivectl's version\n"
               "\n"
               "Environment:\n"
               "  HIVE_TOKEN                   the API token, when neither --token nor --token-file is given\n"
               "\n"
               "Remote engines are trusted by certificate fingerprint, like ssh's known_hosts: the first\n"
               "connection asks (or needs --trust-fingerprint when stdin is not a terminal) and pins the\n"
               "fingerprint in %3; a changed certificate is refused until its line is removed there.\n"
               "\n"
               "Options after the command belong to it first: 'audit --token NAME' filters by token name, so\n"
               "put the secret before the command, in HIVE_TOKEN or in --token-file.\n"
               "\n"
               "Exit codes:\n"
               "  0  success\n"
               "  1  the engine refused the call (an error reply) or a check failed (audit chain broken,\n"
               "     event resync required)\n"
               "  2  usage error or local problem: bad arguments, cannot connect or connection lost,\n"
               "     untrusted or changed certificate, unreadable token file\n"
               "  agent shell exits with the shell's own exit code (128 + N when signal N ended it) once\n"
               "  the terminal is open.\n")
        .arg(paths::defaultStateDir())
        .arg(protocol::DefaultPort)
        .arg(client::KnownEngines::defaultPath());
}

} // namespace hive::ctl
