// SPDX-License-Identifier: MIT
#pragma once
// What the systemd-nspawn suites share (tst_nspawn, tst_nspawnimage): helpers that look at the host's processes and
// files, and NspawnFixture, which runs real containers in uid ranges of their own and leaves none behind.
#include "containers/baseimage.h"
#include "containers/nspawnruntime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <poll.h>

using namespace hive;
using namespace hive::engine;

namespace hive::test::nspawn {

using namespace hive::engine;

inline constexpr quint32 RangeSize = 65536;
inline constexpr int FirstRange = 3000; // far from the ranges other tests and hosts hand out
inline constexpr int Slots = 15;        // ranges FirstRange .. FirstRange + Slots - 1

inline quint32 uidBase(int slot)
{
    return static_cast<quint32>(FirstRange + slot) * RangeSize;
}

// Field `n` (1-based, as in proc(5)) of /proc/<pid>/stat, counted from the last ')' since comm may hold both.
inline QByteArray statField(qint64 pid, int n)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = file.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(n - 3);
}

// Live (not zombie) processes whose real uid is in [base, base + count).
inline QList<qint64> processesInRange(quint32 base, qint64 count = RangeSize)
{
    QList<qint64> found;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        QFile status(QStringLiteral("/proc/%1/status").arg(entry));
        if (!numeric || !status.open(QIODevice::ReadOnly))
            continue;
        bool zombie = false;
        qint64 uid = -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("State:"))
                zombie = line.contains("(zombie)");
            else if (line.startsWith("Uid:"))
                uid = line.mid(4).simplified().split(' ').value(0).toLongLong();
        }
        if (!zombie && uid >= base && uid < base + count)
            found.append(pid);
    }
    return found;
}

inline qint64 realUid(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("Uid:"))
            return line.mid(4).simplified().split(' ').value(0).toLongLong();
    }
    return -1;
}

inline qint64 ownerOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? qint64(info.st_uid) : -1;
}

inline int modeOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

struct Output {
    int exitCode = -1;
    QByteArray out;
};

// Runs `command` inside the container of `mainPid` (all its namespaces, as container root).
inline Output runInside(qint64 mainPid, const QStringList &command)
{
    QProcess process;
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin"));
    environment.insert(QStringLiteral("HOME"), QStringLiteral("/root"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("nsenter"), QStringList{QStringLiteral("--target"), QString::number(mainPid),
                                                         QStringLiteral("--all"), QStringLiteral("--")} +
                                                 command);
    if (!process.waitForFinished(10000))
        return {};
    if (process.exitCode() != 0)
        qWarning("inside: %s", process.readAllStandardError().constData());
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput()};
}

inline QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every path, size, mtime and owner below `dir`, and the content of a few files: whatever an agent changed shows.
inline QByteArray treeFingerprint(const QString &dir)
{
    QProcess find;
    find.start(QStringLiteral("find"),
               {dir, QStringLiteral("-xdev"), QStringLiteral("-printf"), QStringLiteral("%P %s %T@ %U %G %m\\n")});
    find.waitForFinished(60000);
    QByteArrayList lines = find.readAllStandardOutput().split('\n');
    std::sort(lines.begin(), lines.end());
    QByteArray print = lines.join('\n');
    for (const char *file : {"etc/os-release", "etc/passwd", "etc/hostname", "etc/hosts", "root/.bashrc"})
        print += readAll(dir + QLatin1Char('/') + QLatin1String(file));
    return print;
}

} // namespace hive::test::nspawn

#define REQUIRE_CONTAINERS()                                                                                           \
    do {                                                                                                               \
        if (!m_availability)                                                                                           \
            QSKIP(qPrintable(QStringLiteral("no containers here: ") + m_availability.error().message));                \
    } while (false)

// Skips only for a missing network; a missing debootstrap fails (scripts/setup installs it).
#define REQUIRE_IMAGE()                                                                                                \
    do {                                                                                                               \
        REQUIRE_CONTAINERS();                                                                                          \
        const Result<void> &image = baseImage();                                                                       \
        if (!image && isNetworkFailure(image.error().message))                                                         \
            QSKIP(qPrintable(QStringLiteral("the base image cannot be built without the network: ") +                  \
                             image.error().message));                                                                  \
        QVERIFY2(image, image ? "" : qPrintable(image.error().message));                                               \
    } while (false)

/// The runtime, a temporary dir per test, the containers started (killed at cleanup) and, for the image suite, one
/// debootstrap build per run. Test classes derive from it and add their test functions as private slots.
class NspawnFixture : public QObject
{
    Q_OBJECT
public:
    /// The suite's uid slots, first to last: cleanup kills what runs in them, and no other suite
    /// running at the same time (ctest -j) may use them.
    NspawnFixture(int firstSlot, int lastSlot) : m_firstSlot(firstSlot), m_lastSlot(lastSlot) {}

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

protected:
    using ContainerSpec = hive::engine::ContainerSpec;
    using ContainerProcess = hive::engine::ContainerProcess;
    ContainerSpec makeSpec(const QString &agent, int slot, const QStringList &command) const;
    ContainerSpec makeImageSpec(const QString &agent, int slot, const QStringList &command) const;
    /// Builds the image once per run (into m_imageDir, with a stale DIR.tmp planted first) and keeps the result.
    const hive::Result<void> &baseImage();
    static bool isNetworkFailure(const QString &message);
    hive::Result<ContainerProcess> startTracked(const ContainerSpec &spec);

    std::unique_ptr<hive::engine::NspawnRuntime> m_runtime;
    hive::Result<void> m_availability;
    std::unique_ptr<QTemporaryDir> m_dir;
    QList<ContainerProcess> m_started;
    std::unique_ptr<QTemporaryDir> m_imageParent; ///< the image and its DIR.tmp, kept for the whole run
    std::optional<hive::Result<void>> m_imageBuilt;
    qint64 m_imageBuildMs = 0;

private:
    [[nodiscard]] QList<qint64> processesInSlots() const;

    int m_firstSlot;
    int m_lastSlot;
};
