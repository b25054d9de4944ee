// SPDX-License-Identifier: MIT
// What the harness hands the agent CLI: prompts, the wake prompt, the MCP config, the command line.
#include "clisetup.h"
#include "prompts.h"
#include "protocol/deployedconfig.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace hive;
using namespace hive::harness;

namespace {

ServeSettings settings(const QString &kind)
{
    ServeSettings s;
    s.agent = QStringLiteral("alice");
    s.kind = kind;
    s.cliPath = QStringLiteral("/usr/bin/claude");
    s.cliArgs = {QStringLiteral("--fallback-model"), QStringLiteral("x")};
    s.cliEnv = {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://127.0.0.1:9")},
                {QStringLiteral("DISABLE_AUTOUPDATER"), QStringLiteral("0")}};
    s.model = QStringLiteral("claude-opus-5-5");
    s.extraPrompt = QStringLiteral("You review pull requests.");
    s.allowedTools = {QStringLiteral("Read"), QStringLiteral("Bash(git *)"), QStringLiteral("mcp__gh__search")};
    s.allowedRecipients = {QStringLiteral("bob")};
    s.mcpServers =
        QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("gh")},
                               {QStringLiteral("command"), QStringLiteral("/usr/bin/gh-mcp")},
                               {QStringLiteral("args"), QJsonArray{QStringLiteral("--stdio")}},
                               {QStringLiteral("env"), QJsonObject{{QStringLiteral("T"), QStringLiteral("1")}}}},
                   QJsonObject{{QStringLiteral("name"), QStringLiteral("hive")},
                               {QStringLiteral("command"), QStringLiteral("/evil")}}};
    s.turnTimeoutSeconds = 60;
    s.notesCompactBytes = 4096;
    return s;
}

HarnessPaths paths(const QString &root)
{
    return HarnessPaths{root + QStringLiteral("/run/agent.sock"), root + QStringLiteral("/state"),
                        root + QStringLiteral("/rt"), QStringLiteral("/opt/hive/bin/hive-harness")};
}

protocol::Message message(const QString &from)
{
    protocol::Message m;
    m.id = 42;
    m.from = from;
    m.to = QStringLiteral("alice");
    m.body = QStringLiteral("please review #7");
    m.sentAt = QDateTime(QDate(2026, 11, 25), QTime(9, 30), QTimeZone::utc());
    return m;
}

} // namespace

class TestHarnessFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyTemplateLabelHasAValue()
    {
        QTemporaryDir dir;
        for (const QString &kind : {QStringLiteral("agent"), QStringLiteral("manager")}) {
            const QString text = promptTemplate(kind);
            QVERIFY2(!text.isEmpty(), qPrintable(kind));
            const QString prompt = systemPrompt(settings(kind), paths(dir.path()));
            QVERIFY2(!prompt.contains(QLatin1Char('{')), qPrintable(prompt)); // every {label} filled in
            QVERIFY(prompt.contains(QStringLiteral("You are alice")));
            QVERIFY(prompt.contains(dir.path() + QStringLiteral("/state/notes.md")));
            QVERIFY(prompt.contains(QStringLiteral("4096 bytes")));
            QVERIFY(prompt.contains(QStringLiteral("You review pull requests.")));
            QVERIFY(prompt.contains(QStringLiteral("`Bash(git *)`")));
        }
        QVERIFY(systemPrompt(settings(QStringLiteral("agent")), paths(dir.path()))
                    .contains(QStringLiteral("You may send only to: bob (and the manager)")));
        QVERIFY(systemPrompt(settings(QStringLiteral("manager")), paths(dir.path()))
                    .contains(QStringLiteral("request_apply_commit")));
        QVERIFY(promptTemplate(QStringLiteral("nope")).isEmpty());
        QVERIFY(promptTemplate(QStringLiteral("../agent")).isEmpty());
    }

    void renderReportsUnknownLabels()
    {
        QStringList unknown;
        const QString out = renderTemplate(QStringLiteral("{a} and {b} and {a} and {not-a-label} {C}"),
                                           {{QStringLiteral("a"), QStringLiteral("1")}}, &unknown);
        QCOMPARE(out, QStringLiteral("1 and {b} and 1 and {not-a-label} {C}"));
        QCOMPARE(unknown, QStringList{QStringLiteral("b")});
        // A value is inserted as it is, never expanded again.
        QCOMPARE(renderTemplate(QStringLiteral("{a}"), {{QStringLiteral("a"), QStringLiteral("{a}")}}),
                 QStringLiteral("{a}"));
    }

    void wakePromptForAPeer()
    {
        protocol::Message m = message(QStringLiteral("bob"));
        m.inReplyTo = 40;
        QCOMPARE(wakePrompt(m, 2),
                 QStringLiteral("Message 42 from bob (2026-11-25T09:30:00Z), in reply to message 40:\n"
                                "please review #7\n"
                                "\n[to answer: send(to=\"bob\", body=..., in_reply_to=42)]\n"
                                "[2 more messages are waiting; they wake you next]\n"));
    }

    void wakePromptVariants()
    {
        protocol::Message op = message(QStringLiteral("operator"));
        op.redelivered = true;
        const QString fromOperator = wakePrompt(op, 1);
        QVERIFY(fromOperator.startsWith(QStringLiteral("Message 42 from the operator (")));
        QVERIFY(fromOperator.contains(QStringLiteral("[redelivered:")));
        QVERIFY(fromOperator.contains(QStringLiteral("send(to=\"operator\"")));
        QVERIFY(fromOperator.endsWith(QStringLiteral("[1 more message is waiting; it wakes you next]\n")));

        protocol::Message event = message(QStringLiteral("system"));
        event.body = QStringLiteral(R"({"event":"question_answered","id":3,"answer":"yes"})");
        const QString fromSystem = wakePrompt(event, 0);
        QCOMPARE(fromSystem, QStringLiteral("System event (message 42, 2026-11-25T09:30:00Z):\n"
                                            R"({"event":"question_answered","id":3,"answer":"yes"})"
                                            "\n"));

        protocol::Message broadcast = message(QStringLiteral("carol"));
        broadcast.broadcast = true;
        QVERIFY(wakePrompt(broadcast, 0).contains(QStringLiteral(", sent to every agent:")));
    }

    void senderKinds()
    {
        QCOMPARE(senderKind(QStringLiteral("system")), QStringLiteral("system"));
        QCOMPARE(senderKind(QStringLiteral("operator")), QStringLiteral("operator"));
        QCOMPARE(senderKind(QStringLiteral("manager")), QStringLiteral("manager"));
        QCOMPARE(senderKind(QStringLiteral("bob")), QStringLiteral("peer"));
    }

    void mcpConfigHasHiveLastAndExtraServers()
    {
        QTemporaryDir dir;
        const QJsonObject servers = mcpConfig(settings(QStringLiteral("agent")), paths(dir.path()))
                                        .value(QStringLiteral("mcpServers"))
                                        .toObject();
        QCOMPARE(servers.keys(), (QStringList{QStringLiteral("gh"), QStringLiteral("hive")}));
        const QJsonObject hive = servers.value(QStringLiteral("hive")).toObject();
        QCOMPARE(hive.value(QStringLiteral("command")).toString(), QStringLiteral("/opt/hive/bin/hive-harness"));
        QCOMPARE(hive.value(QStringLiteral("args")).toArray(),
                 (QJsonArray{QStringLiteral("mcp"), QStringLiteral("--socket"),
                             dir.path() + QStringLiteral("/run/agent.sock")}));
        const QJsonObject gh = servers.value(QStringLiteral("gh")).toObject();
        QCOMPARE(gh.value(QStringLiteral("args")).toArray(), QJsonArray{QStringLiteral("--stdio")});
        QCOMPARE(gh.value(QStringLiteral("env")).toObject().value(QStringLiteral("T")).toString(), QStringLiteral("1"));
    }

    void allowedToolsPerKind()
    {
        const QStringList agent = allowedTools(settings(QStringLiteral("agent")));
        QVERIFY(agent.contains(QStringLiteral("mcp__hive__send")));
        QVERIFY(agent.contains(QStringLiteral("mcp__hive__whoami")));
        QVERIFY(!agent.contains(QStringLiteral("mcp__hive__kill")));
        QCOMPARE(agent.mid(agent.size() - 3), (QStringList{QStringLiteral("Read"), QStringLiteral("Bash(git *)"),
                                                           QStringLiteral("mcp__gh__search")}));
        const QStringList manager = allowedTools(settings(QStringLiteral("manager")));
        QVERIFY(manager.contains(QStringLiteral("mcp__hive__request_apply_commit")));
        QVERIFY(manager.contains(QStringLiteral("mcp__hive__list_agents")));
    }

    void turnCommandLine()
    {
        QTemporaryDir dir;
        const HarnessPaths p = paths(dir.path());
        const CliInvocation turn = turnInvocation(settings(QStringLiteral("agent")), p, QStringLiteral("hello"));
        QCOMPARE(turn.program, QStringLiteral("/usr/bin/claude"));
        const QStringList &args = turn.arguments;
        QCOMPARE(args.mid(0, 2), (QStringList{QStringLiteral("--fallback-model"), QStringLiteral("x")}));
        for (const char *flag : {"-p", "--verbose", "--continue", "--strict-mcp-config"})
            QVERIFY2(args.contains(QLatin1String(flag)), flag);
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--output-format")) + 1), QStringLiteral("stream-json"));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--mcp-config")) + 1), p.mcpConfigPath());
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--system-prompt-file")) + 1), p.systemPromptPath());
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--system-prompt-snapshot")) + 1), QStringLiteral("off"));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--model")) + 1), QStringLiteral("claude-opus-5-5"));
        QVERIFY(args.at(args.indexOf(QStringLiteral("--allowedTools")) + 1)
                    .endsWith(QStringLiteral(",Read,Bash(git *),mcp__gh__search")));
        QCOMPARE(turn.workingDirectory, p.stateDir);
        QCOMPARE(turn.input, QByteArray("hello"));
        QCOMPARE(turn.timeoutMs, 60000);
        // Ours first, the engine's cli.env over it.
        QCOMPARE(turn.environment.value(QStringLiteral("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC")),
                 QStringLiteral("1"));
        QCOMPARE(turn.environment.value(QStringLiteral("DISABLE_AUTOUPDATER")), QStringLiteral("0"));
        QCOMPARE(turn.environment.value(QStringLiteral("ANTHROPIC_BASE_URL")), QStringLiteral("http://127.0.0.1:9"));

        ServeSettings noModel = settings(QStringLiteral("agent"));
        noModel.model.clear();
        QVERIFY(!turnInvocation(noModel, p, QString()).arguments.contains(QStringLiteral("--model")));
    }

    void notesCommandLineKeepsNoSession()
    {
        QTemporaryDir dir;
        const HarnessPaths p = paths(dir.path());
        const CliInvocation notes = notesInvocation(settings(QStringLiteral("agent")), p, 9000);
        QVERIFY(notes.arguments.contains(QStringLiteral("--no-session-persistence")));
        QVERIFY(!notes.arguments.contains(QStringLiteral("--continue")));
        QCOMPARE(notes.arguments.at(notes.arguments.indexOf(QStringLiteral("--tools")) + 1),
                 QStringLiteral("Read,Write,Edit"));
        const QString prompt = notes.arguments.at(notes.arguments.indexOf(QStringLiteral("--system-prompt")) + 1);
        QVERIFY(prompt.contains(p.notesPath()));
        QVERIFY(prompt.contains(QStringLiteral("9000 bytes")));
        QVERIFY(prompt.contains(QStringLiteral("at most 2048 bytes")));
        QVERIFY(!prompt.contains(QLatin1Char('{')));
    }

    void filesAreWrittenPrivately()
    {
        QTemporaryDir dir;
        const HarnessPaths p = paths(dir.path());
        const ServeSettings s = settings(QStringLiteral("agent"));
        QVERIFY(writeTurnFiles(s, p));
        for (const QString &path : {p.mcpConfigPath(), p.settingsPath(), p.systemPromptPath()}) {
            QVERIFY2(QFile::exists(path), qPrintable(path));
            QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                     QFileDevice::Permissions());
        }
        QFile mcp(p.mcpConfigPath());
        QVERIFY(mcp.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(mcp.readAll()).object(), mcpConfig(s, p));
        QFile prompt(p.systemPromptPath());
        QVERIFY(prompt.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(prompt.readAll()), systemPrompt(s, p));

        // A run dir that cannot be created is a precise error.
        HarnessPaths bad = p;
        bad.runDir = p.mcpConfigPath() + QStringLiteral("/sub");
        const auto failed = writeTurnFiles(s, bad);
        QVERIFY(!failed);
        QCOMPARE(failed.error().message, QStringLiteral("cannot create %1").arg(bad.runDir));
    }
};

QTEST_GUILESS_MAIN(TestHarnessFiles)
#include "tst_harnessfiles.moc"
