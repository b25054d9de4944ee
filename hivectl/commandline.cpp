// SPDX-License-Identifier: MIT
#include "commandline.h"

#include "argumentchecks.h"
#include "fingerprint.h"
#include "knownengines.h"
#include "protocol/role.h"
#include "statepaths.h"
#include "subcommands.h"

#include <QDir>
#include <QHash>

#include <array>
#include <cmath>
#include <limits>

namespace hive::ctl {

namespace {

using args::expectWords;
using args::integerOption;
using args::usage;
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
    OptionSpec{"approval", "all", false},
    OptionSpec{"approval", "state", true},
    OptionSpec{"approval", "agent", true},
    OptionSpec{"approval", "base", true},
    OptionSpec{"approval", "note", true},
    OptionSpec{"spawn", "description", true},
    OptionSpec{"draft", "yes", false},
    OptionSpec{"gc", "dry-run", false},
    OptionSpec{"stats", "keys", true},
    OptionSpec{"stats", "since", true},
    OptionSpec{"stats", "bucket", true},
};

const OptionSpec *findOption(const QString &group, const QString &name)
{
    for (const OptionSpec &spec : Options) {
        if (group == QLatin1String(spec.group) && name == QLatin1String(spec.name))
            return &spec;
    }
    return nullptr;
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
    if (first == QLatin1String("approval") || first == QLatin1String("spawn") || first == QLatin1String("draft") ||
        first == QLatin1String("gc"))
        return parseApprovalCommand(words, options, invocation);
    if (first == QLatin1String("stats"))
        return parseStatsCommand(words, options, invocation);
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

} // namespace hive::ctl
