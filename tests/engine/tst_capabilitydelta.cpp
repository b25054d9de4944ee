// SPDX-License-Identifier: MIT
// The capability delta between two agent.toml files: every rule of docs/agent-config.md
// ("Capability delta"), the order of the areas, and the limit parsers it compares with.
#include "configrepo/capabilitydelta.h"
#include "containers/spawnsettings.h"
#include "verify.h"

#include <QTest>

using namespace hive;
using namespace hive::engine;

namespace {

// One change as a line: "AREA ITEM CHANGE[ from BEFORE][ to AFTER] +" (+ widening, - narrowing).
QString line(const protocol::CapabilityChange &change)
{
    QString text = QStringLiteral("%1 %2 %3").arg(change.area, change.item, change.change);
    if (change.before)
        text += QStringLiteral(" from ") + *change.before;
    if (change.after)
        text += QStringLiteral(" to ") + *change.after;
    return text + (change.widening ? QStringLiteral(" +") : QStringLiteral(" -"));
}

QStringList lines(const QList<protocol::CapabilityChange> &changes)
{
    QStringList result;
    for (const auto &change : changes)
        result << line(change);
    return result;
}

} // namespace

class TestCapabilityDelta : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void delta_data();
    void delta();
    void spawnComparesWithTheDefaults();
    void everyAreaInOrder();
    void parseMemoryMax_data();
    void parseMemoryMax();
    void parseCpuQuota_data();
    void parseCpuQuota();
};

void TestCapabilityDelta::delta_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("after");
    QTest::addColumn<QStringList>("expected");

    const auto row = [](const char *name, const char *before, const char *after,
                        std::initializer_list<const char *> expected) {
        QStringList changes;
        for (const char *change : expected)
            changes << QString::fromUtf8(change);
        QTest::newRow(name) << QByteArray(before) << QByteArray(after) << changes;
    };

    row("equal", "allowed_tools = [\"Read\"]\n", "allowed_tools = [\"Read\"]\n", {});
    row("empty files", "", "", {});
    row("description, model and prompt are no capabilities", "description = \"a\"\nmodel = \"m1\"\nprompt = \"p\"\n",
        "description = \"b\"\nmodel = \"m2\"\nprompt = { file = \"p.md\" }\n", {});

    // recipients: [] and "*" are both anyone.
    row("anyone to a list", "", "allowed_recipients = [\"bob\", \"operator\"]\n", {"recipients * removed -"});
    row("star to a list", "allowed_recipients = [\"*\"]\n", "allowed_recipients = [\"bob\"]\n",
        {"recipients * removed -"});
    row("a list to anyone", "allowed_recipients = [\"bob\"]\n", "", {"recipients * added +"});
    row("a list to star", "allowed_recipients = [\"bob\"]\n", "allowed_recipients = [\"bob\", \"*\"]\n",
        {"recipients * added +"});
    row("empty to star", "", "allowed_recipients = [\"*\", \"bob\"]\n", {});
    row("list to list", "allowed_recipients = [\"bob\", \"carol\"]\n",
        "allowed_recipients = [\"carol\", \"dave\", \"operator\"]\n",
        {"recipients dave added +", "recipients operator added +", "recipients bob removed -"});
    row("list reordered", "allowed_recipients = [\"bob\", \"carol\"]\n", "allowed_recipients = [\"carol\", \"bob\"]\n",
        {});

    // tools and bash patterns: added widen, removed narrow.
    row("tools", "allowed_tools = [\"Read\", \"Edit\"]\n", "allowed_tools = [\"Read\", \"Write\", \"Grep\"]\n",
        {"tools Write added +", "tools Grep added +", "tools Edit removed -"});
    row("bash patterns", "allowed_bash_patterns = [\"git *\"]\n", "allowed_bash_patterns = [\"make test\"]\n",
        {"bash_patterns make test added +", "bash_patterns git * removed -"});

    // mcp servers
    const char *docs = "[extra_mcp_servers.docs]\ncommand = \"/usr/bin/docs\"\nargs = [\"--root\", \"/state\"]\n"
                       "allowed_tools = [\"search\"]\n";
    row("server added", "", docs, {"mcp_servers docs added to /usr/bin/docs +", "mcp_servers docs/search added +"});
    row("server removed", docs, "",
        {"mcp_servers docs removed from /usr/bin/docs -", "mcp_servers docs/search removed -"});
    row("server without tools added", "", "[extra_mcp_servers.x]\ncommand = \"/bin/x\"\n",
        {"mcp_servers x added to /bin/x +"});
    row("server command changed", docs,
        "[extra_mcp_servers.docs]\ncommand = \"/opt/docs\"\nargs = [\"--root\", \"/state\"]\n"
        "allowed_tools = [\"search\"]\n",
        {"mcp_servers docs changed from /usr/bin/docs --root /state to /opt/docs --root /state +"});
    row("server args changed", docs,
        "[extra_mcp_servers.docs]\ncommand = \"/usr/bin/docs\"\nargs = [\"--root\", \"/state/my docs\"]\n"
        "allowed_tools = [\"search\"]\n",
        {"mcp_servers docs changed from /usr/bin/docs --root /state to /usr/bin/docs --root '/state/my docs' +"});
    row("server env changed", docs,
        "[extra_mcp_servers.docs]\ncommand = \"/usr/bin/docs\"\nargs = [\"--root\", \"/state\"]\n"
        "env = { DOCS_URL = \"https://docs.example\" }\nallowed_tools = [\"search\"]\n",
        {"mcp_servers docs changed from /usr/bin/docs --root /state to "
         "DOCS_URL=https://docs.example /usr/bin/docs --root /state +"});
    row("server tools changed", docs,
        "[extra_mcp_servers.docs]\ncommand = \"/usr/bin/docs\"\nargs = [\"--root\", \"/state\"]\n"
        "allowed_tools = [\"fetch\"]\n",
        {"mcp_servers docs/fetch added +", "mcp_servers docs/search removed -"});
    row("servers in name order", "[extra_mcp_servers.b]\ncommand = \"/b\"\n",
        "[extra_mcp_servers.a]\ncommand = \"/a\"\n[extra_mcp_servers.c]\ncommand = \"/c\"\n",
        {"mcp_servers a added to /a +", "mcp_servers b removed from /b -", "mcp_servers c added to /c +"});

    // limits: compared by value.
    row("memory raised", "", "[limits]\nmemory = \"8G\"\n", {"limits memory changed from 4G to 8G +"});
    row("memory lowered", "", "[limits]\nmemory = \"512M\"\n", {"limits memory changed from 4G to 512M -"});
    row("memory to infinity", "[limits]\nmemory = \"1T\"\n", "[limits]\nmemory = \"infinity\"\n",
        {"limits memory changed from 1T to infinity +"});
    row("memory from infinity", "[limits]\nmemory = \"infinity\"\n", "[limits]\nmemory = \"9999999999999999T\"\n",
        {"limits memory changed from infinity to 9999999999999999T -"});
    row("memory in bytes", "[limits]\nmemory = \"1024\"\n", "[limits]\nmemory = \"1K\"\n", {});
    row("memory same size", "", "[limits]\nmemory = \"4096M\"\n", {});
    row("memory K below M", "[limits]\nmemory = \"2000K\"\n", "[limits]\nmemory = \"2M\"\n",
        {"limits memory changed from 2000K to 2M +"});
    row("cpu raised", "", "[limits]\ncpu = \"400%\"\n", {"limits cpu changed from 200% to 400% +"});
    row("cpu lowered", "", "[limits]\ncpu = \"50%\"\n", {"limits cpu changed from 200% to 50% -"});
    row("cpu numerically, not as text", "[limits]\ncpu = \"90%\"\n", "[limits]\ncpu = \"100%\"\n",
        {"limits cpu changed from 90% to 100% +"});

    // network
    row("network none", "", "network = \"none\"\n", {"network network changed from host to none -"});
    row("network host", "network = \"none\"\n", "network = \"host\"\n",
        {"network network changed from none to host +"});
    row("network default is host", "network = \"host\"\n", "", {});

    // budget: absent is unlimited.
    row("tokens added", "", "[budget]\ntokens_per_day = 1000\n", {"budget tokens_per_day added to 1000 -"});
    row("tokens removed", "[budget]\ntokens_per_day = 1000\n", "", {"budget tokens_per_day removed from 1000 +"});
    row("tokens raised", "[budget]\ntokens_per_day = 1000\n", "[budget]\ntokens_per_day = 2000\n",
        {"budget tokens_per_day changed from 1000 to 2000 +"});
    row("tokens lowered", "[budget]\ntokens_per_day = 2000\n", "[budget]\ntokens_per_day = 1000\n",
        {"budget tokens_per_day changed from 2000 to 1000 -"});
    row("cost added", "", "[budget]\ncost_per_day_usd = 20.5\n", {"budget cost_per_day_usd added to 20.5 -"});
    row("cost removed", "[budget]\ncost_per_day_usd = 5\n", "", {"budget cost_per_day_usd removed from 5 +"});
    row("cost raised", "[budget]\ncost_per_day_usd = 0.1\n", "[budget]\ncost_per_day_usd = 0.25\n",
        {"budget cost_per_day_usd changed from 0.1 to 0.25 +"});
    row("cost lowered", "[budget]\ncost_per_day_usd = 20\n", "[budget]\ncost_per_day_usd = 19.99\n",
        {"budget cost_per_day_usd changed from 20 to 19.99 -"});
    row("cost integer equals float", "[budget]\ncost_per_day_usd = 5\n", "[budget]\ncost_per_day_usd = 5.0\n", {});
    row("one budget swapped for the other", "[budget]\ntokens_per_day = 1000\n", "[budget]\ncost_per_day_usd = 1.0\n",
        {"budget tokens_per_day removed from 1000 +", "budget cost_per_day_usd added to 1 -"});

    // terminal
    row("terminal off", "", "terminal = false\n", {"terminal terminal changed from true to false -"});
    row("terminal on", "terminal = false\n", "terminal = true\n", {"terminal terminal changed from false to true +"});
}

void TestCapabilityDelta::delta()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);
    QFETCH(QStringList, expected);
    const auto old = parseAgentConfig(before);
    VERIFY_OK(old);
    const auto now = parseAgentConfig(after);
    VERIFY_OK(now);
    QCOMPARE(lines(capabilityDelta(*old, *now)), expected);
}

void TestCapabilityDelta::spawnComparesWithTheDefaults()
{
    // A spawn compares with AgentConfig{}: what an empty agent.toml gives.
    const auto empty = parseAgentConfig(QByteArray());
    VERIFY_OK(empty);
    QVERIFY(capabilityDelta(AgentConfig{}, *empty).isEmpty());

    const auto config = parseAgentConfig(R"(allowed_recipients = ["manager"]
allowed_tools = ["Read"]
allowed_bash_patterns = ["git status"]
network = "none"
)");
    VERIFY_OK(config);
    QCOMPARE(lines(capabilityDelta(AgentConfig{}, *config)),
             (QStringList{QStringLiteral("recipients * removed -"), QStringLiteral("tools Read added +"),
                          QStringLiteral("bash_patterns git status added +"),
                          QStringLiteral("network network changed from host to none -")}));
}

void TestCapabilityDelta::everyAreaInOrder()
{
    const auto before = parseAgentConfig(R"(allowed_recipients = ["bob"]
allowed_tools = ["Edit"]
allowed_bash_patterns = ["ls"]
terminal = false
network = "none"
[budget]
tokens_per_day = 10
[limits]
cpu = "100%"
)");
    VERIFY_OK(before);
    // Written in another order than the delta's: the file's order does not matter.
    const auto after = parseAgentConfig(R"(terminal = true
allowed_bash_patterns = ["pwd"]
allowed_tools = ["Read"]
allowed_recipients = ["carol"]
[budget]
tokens_per_day = 20
[limits]
memory = "8G"
[extra_mcp_servers.t]
command = "/t"
)");
    VERIFY_OK(after);
    QStringList areas;
    for (const auto &change : capabilityDelta(*before, *after))
        areas << change.area;
    areas.removeDuplicates();
    QCOMPARE(areas, (QStringList{QStringLiteral("recipients"), QStringLiteral("tools"), QStringLiteral("bash_patterns"),
                                 QStringLiteral("mcp_servers"), QStringLiteral("limits"), QStringLiteral("network"),
                                 QStringLiteral("budget"), QStringLiteral("terminal")}));
}

void TestCapabilityDelta::parseMemoryMax_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes"); // -1: invalid, -2: infinity

    QTest::newRow("bytes") << QStringLiteral("512") << qint64(512);
    QTest::newRow("K") << QStringLiteral("2K") << qint64(2048);
    QTest::newRow("M") << QStringLiteral("512M") << qint64(512) * 1024 * 1024;
    QTest::newRow("G") << QStringLiteral("4G") << qint64(4) * 1024 * 1024 * 1024;
    QTest::newRow("T") << QStringLiteral("3T") << qint64(3) * 1024 * 1024 * 1024 * 1024;
    QTest::newRow("infinity") << QStringLiteral("infinity") << qint64(-2);
    QTest::newRow("lower case") << QStringLiteral("4g") << qint64(-1);
    QTest::newRow("leading zero") << QStringLiteral("04G") << qint64(-1);
    QTest::newRow("space") << QStringLiteral("4 GB") << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
    QTest::newRow("17 digits") << QStringLiteral("12345678901234567") << qint64(-1);
}

void TestCapabilityDelta::parseMemoryMax()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    const auto parsed = hive::engine::parseMemoryMax(text);
    QCOMPARE(parsed.has_value(), bytes != -1);
    QCOMPARE(memoryMaxProblem(text).has_value(), bytes == -1);
    if (bytes == -2)
        QCOMPARE(*parsed, MemoryInfinity);
    else if (bytes >= 0)
        QCOMPARE(*parsed, quint64(bytes));

    // The largest sizes do not wrap around; they stay below infinity.
    const auto huge = hive::engine::parseMemoryMax(QStringLiteral("9999999999999999T"));
    QVERIFY(huge && *huge == MemoryInfinity - 1);
}

void TestCapabilityDelta::parseCpuQuota_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("percent"); // 0: invalid

    QTest::newRow("1%") << QStringLiteral("1%") << 1;
    QTest::newRow("200%") << QStringLiteral("200%") << 200;
    QTest::newRow("10000%") << QStringLiteral("10000%") << 10000;
    QTest::newRow("10001%") << QStringLiteral("10001%") << 0;
    QTest::newRow("0%") << QStringLiteral("0%") << 0;
    QTest::newRow("no sign") << QStringLiteral("200") << 0;
    QTest::newRow("fraction") << QStringLiteral("1.5%") << 0;
}

void TestCapabilityDelta::parseCpuQuota()
{
    QFETCH(QString, text);
    QFETCH(int, percent);
    const auto parsed = hive::engine::parseCpuQuota(text);
    QCOMPARE(parsed.value_or(0), percent);
    QCOMPARE(cpuQuotaProblem(text).has_value(), percent == 0);
}

QTEST_GUILESS_MAIN(TestCapabilityDelta)
#include "tst_capabilitydelta.moc"
