// SPDX-License-Identifier: MIT
// agent.toml: every key read, the defaults, the CLI's tool list, every example in
// docs/agent-config.md, and bad files reported with exact line:column and a hint.
#include "configrepo/agentconfig.h"
#include "testsupport.h"
#include "verify.h"

#include <QRegularExpression>
#include <QTest>

using namespace hive;
using namespace hive::engine;

class TestAgentConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void emptyFileIsTheDefaults();
    void everyKeyIsRead();
    void documentedExamplesAreValid();
    void problems_data();
    void problems();
    void everyProblemAtOnceInFileOrder();
};

void TestAgentConfig::emptyFileIsTheDefaults()
{
    auto config = parseAgentConfig(QByteArray());
    VERIFY_OK(config);
    QCOMPARE(*config, AgentConfig{});
    QCOMPARE(config->memoryMax, QStringLiteral("4G"));
    QCOMPARE(config->cpuQuota, QStringLiteral("200%"));
    QCOMPARE(config->network, QStringLiteral("host"));
    QVERIFY(config->terminal);
    QVERIFY(config->allowedRecipients.isEmpty());
    QVERIFY(!config->budgetTokensPerDay && !config->budgetCostPerDayUsd);
    QVERIFY(config->cliAllowedTools().isEmpty());
}

void TestAgentConfig::everyKeyIsRead()
{
    auto config = parseAgentConfig(R"(description = "CI keeper"
model = "claude-sonnet-4-5"
prompt = { file = "prompts/ci.md" }
allowed_recipients = ["manager", "operator", "*"]
allowed_tools = ["Read", "Edit"]
allowed_bash_patterns = ["git *", "make test"]
network = "none"
terminal = false

[limits]
memory = "infinity"
cpu = "50%"

[budget]
tokens_per_day = 1000
cost_per_day_usd = 2

[extra_mcp_servers.tickets]
command = "/usr/bin/tickets"
args = ["--stdio", "-v"]
env = { URL = "https://t.example", TOKEN_FILE = "/state/t" }
allowed_tools = ["search", "comment"]

[extra_mcp_servers.docs]
command = "/usr/bin/docs"
)");
    VERIFY_OK(config);
    QCOMPARE(config->description, QStringLiteral("CI keeper"));
    QCOMPARE(config->model, QStringLiteral("claude-sonnet-4-5"));
    QCOMPARE(config->prompt, QString());
    QCOMPARE(config->promptFile, QStringLiteral("prompts/ci.md"));
    QCOMPARE(config->allowedRecipients,
             (QStringList{QStringLiteral("manager"), QStringLiteral("operator"), QStringLiteral("*")}));
    QCOMPARE(config->network, QStringLiteral("none"));
    QCOMPARE(config->terminal, false);
    QCOMPARE(config->memoryMax, QStringLiteral("infinity"));
    QCOMPARE(config->cpuQuota, QStringLiteral("50%"));
    QCOMPARE(config->budgetTokensPerDay, 1000);
    QCOMPARE(config->budgetCostPerDayUsd, 2.0); // an integer is a number too
    QCOMPARE(config->extraMcpServers.size(), 2);
    // Servers come in the order of their names (TOML tables have no order of their own).
    QCOMPARE(config->extraMcpServers.first().name, QStringLiteral("docs"));
    const McpServerConfig &tickets = config->extraMcpServers.at(1);
    QCOMPARE(tickets.name, QStringLiteral("tickets"));
    QCOMPARE(tickets.command, QStringLiteral("/usr/bin/tickets"));
    QCOMPARE(tickets.args, (QStringList{QStringLiteral("--stdio"), QStringLiteral("-v")}));
    QCOMPARE(tickets.env.value(QStringLiteral("TOKEN_FILE")), QStringLiteral("/state/t"));
    QCOMPARE(tickets.env.size(), 2);
    QVERIFY(config->extraMcpServers.first().allowedTools.isEmpty());
    QCOMPARE(config->cliAllowedTools(),
             (QStringList{QStringLiteral("Read"), QStringLiteral("Edit"), QStringLiteral("Bash(git *)"),
                          QStringLiteral("Bash(make test)"), QStringLiteral("mcp__tickets__search"),
                          QStringLiteral("mcp__tickets__comment")}));

    auto inlinePrompt = parseAgentConfig("prompt = \"Run the tests first.\"\n");
    VERIFY_OK(inlinePrompt);
    QCOMPARE(inlinePrompt->prompt, QStringLiteral("Run the tests first."));
    QVERIFY(inlinePrompt->promptFile.isEmpty());
}

void TestAgentConfig::documentedExamplesAreValid()
{
    // Every ```toml block of the documentation parses, and the complete example gives the tool
    // list the documentation shows.
    const QString doc = QString::fromUtf8(test::readFile(test::sourcePath(QStringLiteral("docs/agent-config.md"))));
    QVERIFY(!doc.isEmpty());
    static const QRegularExpression block(QStringLiteral("```toml\\n(.*?)```"),
                                          QRegularExpression::DotMatchesEverythingOption);
    int blocks = 0;
    QString complete;
    for (auto it = block.globalMatch(doc); it.hasNext();) {
        const QString text = it.next().captured(1);
        auto parsed = parseAgentConfig(text.toUtf8(), QStringLiteral("example"));
        QVERIFY2(parsed, qPrintable(text + QStringLiteral("\n") + (parsed ? QString() : parsed.error().message)));
        if (complete.isEmpty())
            complete = text;
        ++blocks;
    }
    QVERIFY(blocks >= 12); // one complete example and one per key
    const auto full = parseAgentConfig(complete.toUtf8());
    VERIFY_OK(full);
    QVERIFY2(doc.contains(full->cliAllowedTools().join(QLatin1Char(' '))), "the documented tool list is stale");
}

void TestAgentConfig::problems_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("misspelt key") << QByteArray("modle = \"x\"\n")
                                  << "agent.toml:1:1: unknown key 'modle' at the top level (did you mean 'model'?)";
    QTest::newRow("unknown key")
        << QByteArray("description = \"d\"\ncolour = \"blue\"\n")
        << "agent.toml:2:1: unknown key 'colour' at the top level (known keys: description, model, prompt, "
           "allowed_recipients, allowed_tools, allowed_bash_patterns, extra_mcp_servers, limits, network, budget, "
           "terminal)";
    QTest::newRow("wrong type") << QByteArray("terminal = \"yes\"\n")
                                << "agent.toml:1:12: 'terminal' must be true or false, got a string";
    QTest::newRow("bad network") << QByteArray("network = \"bridge\"\n")
                                 << "agent.toml:1:11: 'network': 'bridge' is not 'host' or 'none'";
    QTest::newRow("bad memory") << QByteArray("[limits]\nmemory = \"4 GB\"\n")
                                << "agent.toml:2:10: 'limits.memory': '4 GB' is not a size like 512M or 4G, or "
                                   "'infinity'";
    QTest::newRow("bad cpu") << QByteArray("[limits]\ncpu = \"20000%\"\n")
                             << "agent.toml:2:7: 'limits.cpu': '20000%' is not a percentage from 1% to 10000% (100% "
                                "= one core)";
    QTest::newRow("unknown limit") << QByteArray("[limits]\nmemroy = \"1G\"\n")
                                   << "agent.toml:2:1: unknown key 'memroy' in [limits] (did you mean 'memory'?)";
    QTest::newRow("Bash as a tool")
        << QByteArray("allowed_tools = [\"Read\", \"Bash\"]\n")
        << "agent.toml:1:26: 'allowed_tools': 'Bash': Bash is allowed through allowed_bash_patterns";
    QTest::newRow("mcp tool as a tool")
        << QByteArray("allowed_tools = [\"mcp__x__y\"]\n")
        << "agent.toml:1:18: 'allowed_tools': 'mcp__x__y': an MCP server's tools go in its own allowed_tools";
    QTest::newRow("tools not an array") << QByteArray("allowed_tools = \"Read\"\n")
                                        << "agent.toml:1:17: 'allowed_tools' must be an array of strings, got a string";
    QTest::newRow("number in a list") << QByteArray("allowed_tools = [\"Read\", 3]\n")
                                      << "agent.toml:1:26: 'allowed_tools item' must be a string, got an integer";
    QTest::newRow("recipient twice") << QByteArray("allowed_recipients = [\"bob\", \"bob\"]\n")
                                     << "agent.toml:1:30: 'allowed_recipients': 'bob' is listed twice";
    QTest::newRow("bad recipient")
        << QByteArray("allowed_recipients = [\"Bob\"]\n")
        << "agent.toml:1:23: 'allowed_recipients': 'Bob' is not an agent name, 'operator', 'manager' or '*'";
    QTest::newRow("bash pattern with )")
        << QByteArray("allowed_bash_patterns = [\"rm -rf /)\"]\n")
        << "agent.toml:1:26: 'allowed_bash_patterns': 'rm -rf /)' must not contain ')' or a line break (a pattern "
           "like \"git *\" becomes Bash(git *))";
    QTest::newRow("server without command")
        << QByteArray("[extra_mcp_servers.docs]\nargs = []\n")
        << "agent.toml:1:20: [extra_mcp_servers.docs] needs 'command' (command = \"/usr/local/bin/server\")";
    QTest::newRow("relative command")
        << QByteArray("[extra_mcp_servers.docs]\ncommand = \"docs-mcp\"\n")
        << "agent.toml:2:11: 'extra_mcp_servers.docs.command' must be an absolute path inside the container, got "
           "'docs-mcp'";
    QTest::newRow("bad env name")
        << QByteArray("[extra_mcp_servers.docs]\ncommand = \"/d\"\nenv = { lower = \"x\" }\n")
        << "agent.toml:3:9: 'extra_mcp_servers.docs.env': 'lower' is not an environment variable name (A-Z, 0-9, _)";
    QTest::newRow("prompt file outside")
        << QByteArray("prompt = { file = \"../secrets\" }\n")
        << "agent.toml:1:19: 'prompt.file' must be a relative path inside the repo, got '../secrets'";
    QTest::newRow("prompt as a number") << QByteArray("prompt = 42\n")
                                        << "agent.toml:1:10: 'prompt' must be a string or a table { file = \"...\" }, "
                                           "got an integer";
    QTest::newRow("empty budget")
        << QByteArray("[budget]\n")
        << "agent.toml:1:1: [budget] sets nothing (tokens_per_day = 2000000 and/or cost_per_day_usd = 20.0; leave it "
           "out for no budget)";
    QTest::newRow("zero tokens")
        << QByteArray("[budget]\ntokens_per_day = 0\n")
        << "agent.toml:2:18: 'budget.tokens_per_day' must be a whole number of at least 1, got "
           "an integer";
    QTest::newRow("bad model") << QByteArray("model = \"claude sonnet\"\n")
                               << "agent.toml:1:9: 'model': 'claude sonnet' is not a model name (e.g. "
                                  "\"claude-sonnet-4-5\"; leave it out for the engine's default)";
}

void TestAgentConfig::problems()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    auto config = parseAgentConfig(text);
    QVERIFY(!config);
    QCOMPARE(config.error().code, ErrorCode::Config);
    QCOMPARE(config.error().message, message);
}

void TestAgentConfig::everyProblemAtOnceInFileOrder()
{
    auto config = parseAgentConfig("network = \"wifi\"\nmodle = \"x\"\n[limits]\ncpu = \"0%\"\n",
                                   QStringLiteral("cfg/agent.toml"));
    QVERIFY(!config);
    const QStringList lines = config.error().message.split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).startsWith(QLatin1String("cfg/agent.toml:1:11: 'network'")));
    QVERIFY(lines.at(1).startsWith(QLatin1String("cfg/agent.toml:2:1: unknown key 'modle'")));
    QVERIFY(lines.at(2).startsWith(QLatin1String("cfg/agent.toml:4:7: 'limits.cpu'")));
    // A syntax error stops the reading: it is the one problem reported.
    auto broken = parseAgentConfig("model = \n");
    QVERIFY(!broken);
    QVERIFY2(broken.error().message.startsWith(QLatin1String("agent.toml:1:")) &&
                 broken.error().message.contains(QLatin1String("TOML syntax error")),
             qPrintable(broken.error().message));
}

QTEST_GUILESS_MAIN(TestAgentConfig)
#include "tst_agentconfig.moc"
