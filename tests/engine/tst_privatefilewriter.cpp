// SPDX-License-Identifier: MIT
#include "testsupport.h"
#include "tls/privatefilewriter.h"

#include <QDir>
#include <QFile>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

using hive::ErrorCode;
using hive::engine::PrivateFileWriter;

namespace {

// Type and permission bits of the entry itself (a symlink is not followed); -1 when it is missing.
int entryMode(const QString &path)
{
    struct stat status = {};
    return ::lstat(QFile::encodeName(path).constData(), &status) == 0 ? static_cast<int>(status.st_mode) : -1;
}

int permissions(const QString &path)
{
    const int mode = entryMode(path);
    return mode < 0 ? -1 : mode & 07777;
}

using hive::test::readFile;
using hive::test::writeFile;

struct Entry {
    int mode = -1;
    QByteArray content; // a file's bytes or a symlink's target
    friend bool operator==(const Entry &, const Entry &) = default;
};

// Every entry of dir, hidden ones too, so that a left-over temp file shows.
QMap<QString, Entry> snapshot(const QString &dir)
{
    QMap<QString, Entry> entries;
    const QDir directory(dir);
    const QStringList names =
        directory.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &name : names) {
        const QString path = directory.filePath(name);
        const int mode = entryMode(path);
        entries.insert(name, {mode, S_ISLNK(mode) ? QFile::encodeName(QFile::symLinkTarget(path)) : readFile(path)});
    }
    return entries;
}

bool isRoot()
{
    return ::geteuid() == 0;
}

// The umask is process-wide; every test puts it back.
struct UmaskScope {
    explicit UmaskScope(mode_t mask) : previous(::umask(mask)) {}
    ~UmaskScope() { ::umask(previous); }
    UmaskScope(const UmaskScope &) = delete;
    UmaskScope &operator=(const UmaskScope &) = delete;
    mode_t previous;
};

} // namespace

class TestPrivateFileWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ensurePrivateDirCreates_data();
    void ensurePrivateDirCreates();
    void ensurePrivateDirKeepsExisting();
    void ensurePrivateDirRejectsFile();
    void writeNewCreatesPrivateFile_data();
    void writeNewCreatesPrivateFile();
    void writeNewAppliesGivenMode();
    void writeNewNeverReplaces_data();
    void writeNewNeverReplaces();
    void writeNewFailsInBadDirectory_data();
    void writeNewFailsInBadDirectory();
    void failedWriteLeavesNothing();
    void stagedFileIsPrivateAndRemovedWithoutCommit();
    void commitWithoutStageFails();
};

void TestPrivateFileWriter::ensurePrivateDirCreates_data()
{
    QTest::addColumn<int>("umask");
    QTest::addColumn<QString>("relativeDir");
    QTest::newRow("umask 022") << 0022 << QStringLiteral("tls");
    QTest::newRow("umask 000") << 0000 << QStringLiteral("tls");
    // mkdir alone would give 0500 here: the mode must be set explicitly, not left to the umask.
    QTest::newRow("umask 277") << 0277 << QStringLiteral("tls");
    QTest::newRow("missing parents") << 0022 << QStringLiteral("state/hive/tls");
}

void TestPrivateFileWriter::ensurePrivateDirCreates()
{
    QFETCH(int, umask);
    QFETCH(QString, relativeDir);
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString dir = base.filePath(relativeDir);
    const UmaskScope scope(static_cast<mode_t>(umask));

    const auto made = PrivateFileWriter::ensurePrivateDir(dir);
    QVERIFY2(made, made ? "" : qPrintable(made.error().message));
    QCOMPARE(permissions(dir), 0700);
    const QString file = QDir(dir).filePath(QStringLiteral("engine.key"));
    const auto written = PrivateFileWriter::writeNew(file, "secret");
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    QCOMPARE(permissions(file), 0600);

    // A second call accepts what the first made.
    QVERIFY(PrivateFileWriter::ensurePrivateDir(dir));
    QCOMPARE(permissions(dir), 0700);
}

void TestPrivateFileWriter::ensurePrivateDirKeepsExisting()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString dir = base.filePath(QStringLiteral("shared"));
    QVERIFY(QDir().mkdir(dir));
    QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0755) == 0);

    QVERIFY(PrivateFileWriter::ensurePrivateDir(dir));
    QCOMPARE(permissions(dir), 0755); // someone else's choice, not silently changed
}

void TestPrivateFileWriter::ensurePrivateDirRejectsFile()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString path = base.filePath(QStringLiteral("tls"));
    QVERIFY(writeFile(path, "not a directory"));

    const auto made = PrivateFileWriter::ensurePrivateDir(path);
    QVERIFY(!made);
    QCOMPARE(made.error().code, ErrorCode::Io);
    QCOMPARE(made.error().message, path + QStringLiteral(" exists but is not a directory"));
    QCOMPARE(readFile(path), QByteArray("not a directory"));
}

void TestPrivateFileWriter::writeNewCreatesPrivateFile_data()
{
    QTest::addColumn<int>("umask");
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("umask 022") << 0022 << QByteArray("-----BEGIN PRIVATE KEY-----\n");
    QTest::newRow("umask 000") << 0000 << QByteArray("secret");
    // mkostemp alone would give 0400 here.
    QTest::newRow("umask 277") << 0277 << QByteArray("secret");
    QTest::newRow("empty") << 0022 << QByteArray();
    QTest::newRow("4 MiB") << 0022 << QByteArray(qsizetype{4} * 1024 * 1024, 'k');
}

void TestPrivateFileWriter::writeNewCreatesPrivateFile()
{
    QFETCH(int, umask);
    QFETCH(QByteArray, data);
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString path = base.filePath(QStringLiteral("engine.key"));
    const UmaskScope scope(static_cast<mode_t>(umask));

    const auto written = PrivateFileWriter::writeNew(path, data);
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    QCOMPARE(snapshot(base.path()).keys(), QStringList{QStringLiteral("engine.key")}); // no temp file left
    QCOMPARE(permissions(path), 0600);
    QCOMPARE(readFile(path), data);
}

void TestPrivateFileWriter::writeNewAppliesGivenMode()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString path = base.filePath(QStringLiteral("engine.crt"));
    const UmaskScope scope(0077);

    QVERIFY(PrivateFileWriter::writeNew(path, "certificate", 0644));
    QCOMPARE(permissions(path), 0644);
    QCOMPARE(snapshot(base.path()).keys(), QStringList{QStringLiteral("engine.crt")});
}

void TestPrivateFileWriter::writeNewNeverReplaces_data()
{
    QTest::addColumn<QString>("existing"); // file, directory, symlink
    QTest::newRow("file") << QStringLiteral("file");
    QTest::newRow("directory") << QStringLiteral("directory");
    QTest::newRow("dangling symlink") << QStringLiteral("symlink");
}

void TestPrivateFileWriter::writeNewNeverReplaces()
{
    QFETCH(QString, existing);
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString path = base.filePath(QStringLiteral("engine.key"));
    if (existing == QStringLiteral("file")) {
        QVERIFY(writeFile(path, "old key"));
        QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
    } else if (existing == QStringLiteral("directory")) {
        QVERIFY(QDir().mkdir(path));
    } else {
        QVERIFY(QFile::link(base.filePath(QStringLiteral("nowhere")), path));
    }
    const auto before = snapshot(base.path());

    const auto written = PrivateFileWriter::writeNew(path, "new key");
    QVERIFY(!written);
    QCOMPARE(written.error().code, ErrorCode::Io);
    QCOMPARE(written.error().message, QStringLiteral("refusing to overwrite %1, which appeared meanwhile").arg(path));
    QCOMPARE(snapshot(base.path()), before); // old content and mode, and no temp file
}

void TestPrivateFileWriter::writeNewFailsInBadDirectory_data()
{
    QTest::addColumn<QString>("problem"); // missing, unwritable, file
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing directory") << QStringLiteral("missing") << QStringLiteral("No such file or directory");
    if (!isRoot()) // root writes whatever the mode
        QTest::newRow("unwritable directory") << QStringLiteral("unwritable") << QStringLiteral("Permission denied");
    QTest::newRow("file as directory") << QStringLiteral("file") << QStringLiteral("Not a directory");
}

void TestPrivateFileWriter::writeNewFailsInBadDirectory()
{
    QFETCH(QString, problem);
    QFETCH(QString, reason);
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString dir = base.filePath(QStringLiteral("tls"));
    if (problem == QStringLiteral("unwritable")) {
        QVERIFY(QDir().mkdir(dir));
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0500) == 0);
    } else if (problem == QStringLiteral("file")) {
        QVERIFY(writeFile(dir, "not a directory"));
    }
    const auto before = snapshot(base.path());

    const auto written = PrivateFileWriter::writeNew(QDir(dir).filePath(QStringLiteral("engine.key")), "secret");
    QVERIFY(!written);
    QCOMPARE(written.error().code, ErrorCode::Io);
    QCOMPARE(written.error().message, QStringLiteral("cannot create a file in %1: %2").arg(dir, reason));
    QCOMPARE(snapshot(base.path()), before);
    if (problem == QStringLiteral("unwritable"))
        QVERIFY(snapshot(dir).isEmpty()); // 0500 still lets us list it
}

// A write that fails half-way (here: past the file size limit, as a full disk would) must not leave
// the partial temp file behind.
void TestPrivateFileWriter::failedWriteLeavesNothing()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString path = base.filePath(QStringLiteral("engine.key"));
    struct rlimit original = {};
    QVERIFY(::getrlimit(RLIMIT_FSIZE, &original) == 0);
    struct rlimit limited = original;
    limited.rlim_cur = 1024;
    const auto previousHandler = ::signal(SIGXFSZ, SIG_IGN); // else exceeding the limit kills the test
    QVERIFY(::setrlimit(RLIMIT_FSIZE, &limited) == 0);

    const auto written = PrivateFileWriter::writeNew(path, QByteArray(qsizetype{64} * 1024, 'k'));
    ::setrlimit(RLIMIT_FSIZE, &original);
    ::signal(SIGXFSZ, previousHandler);
    QVERIFY(!written);
    QCOMPARE(written.error().code, ErrorCode::Io);
    QCOMPARE(written.error().message, QStringLiteral("cannot write %1: File too large").arg(path));
    QVERIFY(snapshot(base.path()).isEmpty());
}

void TestPrivateFileWriter::stagedFileIsPrivateAndRemovedWithoutCommit()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString path = base.filePath(QStringLiteral("engine.key"));
    const UmaskScope scope(0);
    {
        PrivateFileWriter writer(path);
        QVERIFY(writer.stage("first"));
        QVERIFY(writer.stage("second")); // replaces the first temp file
        const auto staged = snapshot(base.path());
        QCOMPARE(staged.size(), 1);
        const QString &tempName = staged.firstKey();
        QVERIFY2(tempName.startsWith(QStringLiteral(".engine.key.")), qPrintable(tempName));
        QCOMPARE(staged.first().mode & 07777, 0600);
        QCOMPARE(staged.first().content, QByteArray("second"));
        QVERIFY(!QFile::exists(path)); // nothing under the target name before commit()
    }
    QVERIFY(snapshot(base.path()).isEmpty());
}

void TestPrivateFileWriter::commitWithoutStageFails()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString path = base.filePath(QStringLiteral("engine.key"));
    PrivateFileWriter writer(path);

    const auto committed = writer.commit();
    QVERIFY(!committed);
    QCOMPARE(committed.error().code, ErrorCode::Internal);
    QVERIFY2(committed.error().message.contains(path), qPrintable(committed.error().message));
    QVERIFY(snapshot(base.path()).isEmpty());
}

QTEST_GUILESS_MAIN(TestPrivateFileWriter)
#include "tst_privatefilewriter.moc"
