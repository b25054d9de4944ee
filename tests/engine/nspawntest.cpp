// SPDX-License-Identifier: MIT
#include "nspawntest.h"

using namespace hive;
using namespace hive::engine;
using namespace hive::test::nspawn;

void NspawnFixture::initTestCase()
{
    m_runtime = std::make_unique<NspawnRuntime>();
    m_availability = m_runtime->available();
    if (!m_availability)
        qInfo("container tests will be skipped: %s", qPrintable(m_availability.error().message));
}

void NspawnFixture::init()
{
    // Under /tmp (a disk file system here) rather than the build tree: short paths, and gone after a reboot.
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/hive-tst-nspawn-XXXXXX"));
    QVERIFY(m_dir->isValid());
}

void NspawnFixture::cleanup()
{
    for (const ContainerProcess &process : std::as_const(m_started)) {
        if (m_runtime->isRunning(process)) {
            auto killed = m_runtime->kill(process);
            QVERIFY2(killed, killed ? "" : qPrintable(killed.error().message));
        }
    }
    m_started.clear();
    // A failed check may have left a container whose nspawn is gone: nothing outlives a test.
    for (const qint64 pid : processesInSlots())
        ::kill(static_cast<pid_t>(pid), SIGKILL);
    m_dir.reset();
}

void NspawnFixture::cleanupTestCase()
{
    QTRY_VERIFY_WITH_TIMEOUT(processesInSlots().isEmpty(), 3000);
}

ContainerSpec NspawnFixture::makeSpec(const QString &agent, int slot, const QStringList &command) const
{
    const QDir dir(m_dir->path());
    ContainerSpec spec;
    spec.agent = agent;
    spec.rootDir = dir.filePath(QStringLiteral("agents/%1/root").arg(agent));
    spec.stateDir = dir.filePath(QStringLiteral("agents/%1/state").arg(agent));
    spec.credentialsDir = dir.filePath(QStringLiteral("agents/%1/credentials").arg(agent));
    spec.socketDir = dir.filePath(QStringLiteral("run/agents/%1").arg(agent));
    spec.logPath = dir.filePath(QStringLiteral("agents/%1/container.log").arg(agent));
    spec.harnessPath = dir.filePath(QStringLiteral("hive-harness"));
    spec.command = command;
    spec.uidBase = uidBase(slot);
    spec.gitName = QStringLiteral("Agent ") + agent;
    spec.gitEmail = agent + QStringLiteral("@hive.invalid");
    QFile harness(spec.harnessPath);
    if (!harness.exists() && harness.open(QIODevice::WriteOnly)) {
        harness.write("#!/bin/sh\necho harness\n");
        harness.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                               QFileDevice::ReadOther | QFileDevice::ExeOther);
    }
    return spec;
}

ContainerSpec NspawnFixture::makeImageSpec(const QString &agent, int slot, const QStringList &command) const
{
    ContainerSpec spec = makeSpec(agent, slot, command);
    spec.imageDir = m_imageParent ? m_imageParent->filePath(QStringLiteral("debian")) : QString();
    // The real harness when there is one: run by the host's loader with the host's libraries (see harnessWrapper).
    const QString harness = QDir(qEnvironmentVariable("HIVE_BIN_DIR")).filePath(QStringLiteral("hive-harness"));
    if (qEnvironmentVariableIsSet("HIVE_BIN_DIR") && QFileInfo(harness).isExecutable())
        spec.harnessPath = harness;
    return spec;
}

bool NspawnFixture::isNetworkFailure(const QString &message)
{
    for (const char *sign : {"Failed getting release file", "Temporary failure resolving", "Couldn't download",
                             "Could not resolve", "Network is unreachable", "Connection refused"}) {
        if (message.contains(QLatin1String(sign)))
            return true;
    }
    return false;
}

const Result<void> &NspawnFixture::baseImage()
{
    if (m_imageBuilt)
        return *m_imageBuilt;
    m_imageParent = std::make_unique<QTemporaryDir>(QStringLiteral("/var/tmp/hive-tst-image-XXXXXX"));
    const QString dir = m_imageParent->filePath(QStringLiteral("debian"));
    // What a build killed half way leaves: the next one removes it and starts over.
    QDir().mkpath(dir + QStringLiteral(".tmp/usr/bin"));
    QFile stale(dir + QStringLiteral(".tmp/usr/bin/half-written"));
    if (stale.open(QIODevice::WriteOnly))
        stale.write("stale");
    stale.close();
    BaseImage image({dir, QStringLiteral("bookworm"), QStringLiteral("http://deb.debian.org/debian"), {}});
    QEventLoop loop;
    QElapsedTimer timer;
    timer.start();
    Result<void> result = fail(ErrorCode::Internal, QStringLiteral("the build did not finish"));
    image.build(nullptr, [&](const Result<void> &built) {
        result = built;
        loop.quit();
    });
    if (image.building())
        loop.exec();
    m_imageBuildMs = timer.elapsed();
    qInfo("debootstrap --variant=minbase bookworm took %lld ms", m_imageBuildMs);
    m_imageBuilt = result;
    return *m_imageBuilt;
}

Result<ContainerProcess> NspawnFixture::startTracked(const ContainerSpec &spec)
{
    if (auto prepared = m_runtime->prepare(spec); !prepared)
        return fail(prepared.error());
    auto started = m_runtime->start(spec);
    if (started)
        m_started.append(*started);
    return started;
}

QList<qint64> NspawnFixture::processesInSlots() const
{
    return processesInRange(uidBase(m_firstSlot), qint64(m_lastSlot - m_firstSlot + 1) * RangeSize);
}
