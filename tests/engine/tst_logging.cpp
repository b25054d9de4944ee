// SPDX-License-Identifier: MIT
#include "logging.h"
#include "systemdnotifier.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using hive::engine::Logging;

namespace {

Q_LOGGING_CATEGORY(lcTest, "hive.test")

// Set in the environment of a child run of this binary: it then installs the handler at that level, logs one
// message of each kind and exits, so the parent sees exactly what the handler writes to a real stderr.
constexpr char ChildVariable[] = "HIVE_TST_LOGGING_CHILD";

int runChild()
{
    Logging::install(QStringLiteral("tst_logging"), Logging::parseLevel(qEnvironmentVariable(ChildVariable)));
    qCDebug(lcTest, "debug message");
    qCInfo(lcTest, "info message");
    qCWarning(lcTest, "warning message");
    qCCritical(lcTest, "error message");
    qWarning("first line\nsecond line");
    return 0;
}

// Restores an environment variable when the test function ends, however it ends.
class EnvironmentGuard
{
public:
    explicit EnvironmentGuard(const char *name) : m_name(name), m_was(qEnvironmentVariableIsSet(name))
    {
        m_value = qgetenv(name);
    }
    ~EnvironmentGuard()
    {
        if (m_was)
            qputenv(m_name, m_value);
        else
            qunsetenv(m_name);
    }
    Q_DISABLE_COPY_MOVE(EnvironmentGuard)

private:
    const char *m_name;
    bool m_was;
    QByteArray m_value;
};

} // namespace

class TestLogging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseLevel_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("type");
        QTest::newRow("debug") << QStringLiteral("debug") << int(QtDebugMsg);
        QTest::newRow("info") << QStringLiteral("info") << int(QtInfoMsg);
        QTest::newRow("warning") << QStringLiteral("warning") << int(QtWarningMsg);
        QTest::newRow("error") << QStringLiteral("error") << int(QtCriticalMsg);
        QTest::newRow("unknown falls back to info") << QStringLiteral("loud") << int(QtInfoMsg);
    }
    void parseLevel()
    {
        QFETCH(QString, text);
        QFETCH(int, type);
        QCOMPARE(int(Logging::parseLevel(text)), type);
    }

    void stderrFormat_data()
    {
        QTest::addColumn<QString>("level");
        QTest::addColumn<QStringList>("expected");
        const QString multiLine = QStringLiteral("warning default: first line");
        QTest::newRow("debug") << QStringLiteral("debug")
                               << QStringList{QStringLiteral("debug hive.test: debug message"),
                                              QStringLiteral("info hive.test: info message"),
                                              QStringLiteral("warning hive.test: warning message"),
                                              QStringLiteral("error hive.test: error message"), multiLine};
        QTest::newRow("info") << QStringLiteral("info")
                              << QStringList{QStringLiteral("info hive.test: info message"),
                                             QStringLiteral("warning hive.test: warning message"),
                                             QStringLiteral("error hive.test: error message"), multiLine};
        QTest::newRow("warning") << QStringLiteral("warning")
                                 << QStringList{QStringLiteral("warning hive.test: warning message"),
                                                QStringLiteral("error hive.test: error message"), multiLine};
        QTest::newRow("error") << QStringLiteral("error")
                               << QStringList{QStringLiteral("error hive.test: error message")};
    }
    void stderrFormat()
    {
        QFETCH(QString, level);
        QFETCH(QStringList, expected);

        QProcess child;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QString::fromLatin1(ChildVariable), level);
        environment.remove(QStringLiteral("JOURNAL_STREAM"));
        environment.remove(QStringLiteral("QT_LOGGING_RULES"));
        child.setProcessEnvironment(environment);
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(30000));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QCOMPARE(child.exitCode(), 0);
        const QDateTime after = QDateTime::currentDateTimeUtc().addSecs(1);

        const QString output = QString::fromUtf8(child.readAllStandardError());
        QVERIFY2(output.endsWith(QLatin1Char('\n')), qPrintable(output));
        QStringList lines = output.split(QLatin1Char('\n'));
        lines.removeLast();

        static const QRegularExpression record(
            QStringLiteral("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) (\\S+ \\S+: .*)$"));
        QStringList records;
        for (const QString &line : std::as_const(lines)) {
            if (line.startsWith(QStringLiteral("    "))) {
                // The continuation of the multi-line message, indented so that records stay one per line.
                QCOMPARE(line, QStringLiteral("    second line"));
                QVERIFY(!records.isEmpty() && records.last().endsWith(QStringLiteral("first line")));
                continue;
            }
            const auto match = record.match(line);
            QVERIFY2(match.hasMatch(), qPrintable(line));
            const QDateTime time = QDateTime::fromString(match.captured(1), Qt::ISODateWithMs);
            QVERIFY2(time.isValid() && time.timeSpec() == Qt::UTC, qPrintable(line));
            QVERIFY2(time >= before && time <= after, qPrintable(line));
            records.append(match.captured(2));
        }
        QCOMPARE(records, expected);
    }

    void journalDetection_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<bool>("matches");

        struct stat info = {};
        QCOMPARE(::fstat(STDERR_FILENO, &info), 0);
        const QByteArray device = QByteArray::number(static_cast<qulonglong>(info.st_dev));
        const QByteArray inode = QByteArray::number(static_cast<qulonglong>(info.st_ino));
        QTest::newRow("unset") << QByteArray() << false;
        QTest::newRow("empty") << QByteArrayLiteral("") << false;
        QTest::newRow("garbage") << QByteArrayLiteral("journal") << false;
        QTest::newRow("other inode") << device + ':' + QByteArray::number(static_cast<qulonglong>(info.st_ino) + 1)
                                     << false;
        QTest::newRow("other device") << QByteArray::number(static_cast<qulonglong>(info.st_dev) + 1) + ':' + inode
                                      << false;
        QTest::newRow("trailing junk") << device + ':' + inode + 'x' << false;
        QTest::newRow("stderr's stream") << device + ':' + inode << true;
    }
    void journalDetection()
    {
        QFETCH(QByteArray, stream);
        QFETCH(bool, matches);
        const EnvironmentGuard guard("JOURNAL_STREAM");
        if (stream.isNull())
            qunsetenv("JOURNAL_STREAM");
        else
            qputenv("JOURNAL_STREAM", stream);
        QCOMPARE(Logging::stderrIsJournal(), matches);
        // journald is used only when libsystemd is built in, and never when stderr is not the journal.
        QCOMPARE(Logging::journaldAvailable(), matches && hive::engine::SystemdNotifier::supported());
    }
};

// QTEST_GUILESS_MAIN, plus the child mode that stderrFormat() runs.
int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsSet(ChildVariable))
        return runChild();
    QCoreApplication app(argc, argv);
    TestLogging test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_logging.moc"
