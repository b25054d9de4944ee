// SPDX-License-Identifier: MIT
// The systemd-nspawn backend with root = "image" (as root; skipped elsewhere): one debootstrap build per run (cached
// between the test functions, a stale DIR.tmp replaced), each agent's layer over the shared image.
#include "nspawntest.h"

using namespace hive;
using namespace hive::engine;
using namespace hive::test::nspawn;

class TestNspawnImage : public NspawnFixture
{
    Q_OBJECT
public:
    TestNspawnImage() : NspawnFixture(11, Slots - 1) {}

private Q_SLOTS:
    void imageCommandLine();
    void imageBuildReplacesAStaleTmp();
    void imageContainerRunsOnItsLayer();
    void imageLayersAreSeparate();
    void imageLayerIsResetByARebuild();
};

void TestNspawnImage::imageCommandLine()
{
    NspawnRuntime::Options options;
    options.nspawnPath = QStringLiteral("/usr/bin/systemd-nspawn");
    const NspawnRuntime runtime(options);
    ContainerSpec spec;
    spec.agent = QStringLiteral("alpha");
    spec.rootDir = QStringLiteral("/srv/a/root");
    spec.imageDir = QStringLiteral("/srv/images/debian-bookworm");
    spec.stateDir = QStringLiteral("/srv/a/state");
    spec.harnessPath = m_dir->filePath(QStringLiteral("no-elf-harness")); // bound as it is
    spec.uidBase = uidBase(0);
    spec.command = {QStringLiteral("/bin/true")};
    const QStringList args = runtime.commandLine(spec, false);
    for (const char *flag : {"--directory=/srv/a/root/merged", "--private-users=196608000:65536",
                             "--private-users-ownership=off", "--bind=/srv/a/state:/state"})
        QVERIFY2(args.contains(QLatin1String(flag)), flag);
    QVERIFY2(args.contains(spec.harnessPath + QStringLiteral(":/opt/hive/bin/hive-harness"), Qt::CaseSensitive) ||
                 args.contains(QStringLiteral("--bind-ro=") + spec.harnessPath +
                               QStringLiteral(":/opt/hive/bin/hive-harness")),
             qPrintable(args.join(QLatin1Char(' '))));
    // Neither the host's /usr nor its /etc pieces: the image has its own.
    QVERIFY(!args.contains(QStringLiteral("--bind-ro=/usr:/usr:idmap")));
    QVERIFY(!args.contains(QStringLiteral("--private-users-ownership=chown")));
    // overlayfs cannot take ',' or ':' in its paths.
    spec.rootDir = QStringLiteral("/srv/a,b/root");
    const auto refused = NspawnRuntime().prepare(spec);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("which an overlay mount cannot take")),
             qPrintable(refused.error().message));
}

void TestNspawnImage::imageBuildReplacesAStaleTmp()
{
    if (::geteuid() != 0)
        QSKIP("building the base image needs root");
    BaseImage missing({QStringLiteral("/var/tmp/x"), QStringLiteral("bookworm"), QString(),
                       QStringLiteral("/nonexistent/debootstrap")});
    QVERIFY(!missing.buildable());
    QCOMPARE(missing.buildable().error().message,
             QStringLiteral("debootstrap not found: install the Debian package debootstrap, which builds the base "
                            "image of containers.root = \"image\""));
    REQUIRE_IMAGE();
    const QString dir = m_imageParent->filePath(QStringLiteral("debian"));
    QVERIFY(BaseImage::exists(dir));
    QVERIFY2(!QFileInfo::exists(dir + QStringLiteral(".tmp")), "the stale DIR.tmp is gone after the rename");
    QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/usr/bin/half-written")));
    QVERIFY(readAll(dir + QStringLiteral("/etc/os-release")).contains("VERSION_CODENAME=bookworm"));
    QCOMPARE(ownerOf(dir + QStringLiteral("/etc/passwd")), qint64(0));
    qInfo("the base image took %lld ms to build", m_imageBuildMs);
}

void TestNspawnImage::imageContainerRunsOnItsLayer()
{
    REQUIRE_IMAGE();
    const ContainerSpec spec = makeImageSpec(
        QStringLiteral("kappa"), 11,
        {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("touch /state/made-inside; exec sleep 600")});
    QElapsedTimer timer;
    timer.start();
    auto started = startTracked(spec);
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    qInfo("prepare() and start() on the image took %lld ms", timer.elapsed());
    const auto mainPid = m_runtime->mainPid(*started);
    QVERIFY(mainPid);
    QCOMPARE(realUid(*mainPid), qint64(spec.uidBase));
    QTRY_VERIFY(QFileInfo::exists(spec.stateDir + QStringLiteral("/made-inside")));

    // The image's system, root's files are root's, root can write anywhere (into its layer).
    const Output osRelease = runInside(*mainPid, {QStringLiteral("cat"), QStringLiteral("/etc/os-release")});
    QCOMPARE(osRelease.exitCode, 0);
    QCOMPARE(osRelease.out, readAll(spec.imageDir + QStringLiteral("/etc/os-release")));
    const Output made = runInside(
        *mainPid, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                   QStringLiteral("id -u; stat -c '%U %G' /etc/passwd /usr/bin/dpkg; cat /etc/hostname; "
                                  "echo mine > /root/made && echo x >> /etc/issue && mkdir -p /usr/local/lib/agent && "
                                  "chown 1000:1000 /usr/local/lib/agent && rm /etc/motd && stat -c '%U' /root/made")});
    QCOMPARE(made.exitCode, 0);
    QCOMPARE(made.out, QByteArray("0\nroot root\nroot root\nkappa\nroot\n"));
    const QString upper = spec.rootDir + QStringLiteral("/upper");
    QCOMPARE(ownerOf(upper + QStringLiteral("/root/made")), qint64(spec.uidBase));
    QCOMPARE(ownerOf(upper + QStringLiteral("/usr/local/lib/agent")), qint64(spec.uidBase + 1000));
    QCOMPARE(ownerOf(upper + QStringLiteral("/etc/issue")), qint64(spec.uidBase));
    QVERIFY(!QFileInfo::exists(spec.imageDir + QStringLiteral("/root/made")));
    QVERIFY(QFileInfo::exists(spec.imageDir + QStringLiteral("/etc/motd")));
    QVERIFY(!readAll(spec.imageDir + QStringLiteral("/etc/issue")).endsWith("x\n"));
    // Nothing is mounted in the engine's namespace: the overlay lives with the container.
    QVERIFY(!readAll(QStringLiteral("/proc/self/mountinfo")).contains(QFile::encodeName(spec.rootDir)));

    // The git identity, and the harness (the host's, on the host's libraries) when the build has one.
    const Output git = runInside(*mainPid, {QStringLiteral("cat"), QStringLiteral("/etc/gitconfig")});
    QVERIFY2(git.out.contains("name = \"Agent kappa\"") && git.out.contains("directory = *"), git.out.constData());
    const Output harness =
        runInside(*mainPid, {QStringLiteral("/opt/hive/bin/hive-harness"), QStringLiteral("--version")});
    QCOMPARE(harness.exitCode, 0);
    if (QFileInfo(spec.harnessPath).fileName() == QLatin1String("hive-harness"))
        QVERIFY2(harness.out.startsWith("hive-harness "), harness.out.constData());
    else
        QCOMPARE(harness.out, QByteArray("harness\n"));
}

void TestNspawnImage::imageLayersAreSeparate()
{
    REQUIRE_IMAGE();
    const QStringList sleeper = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exec sleep 600")};
    const ContainerSpec specA = makeImageSpec(QStringLiteral("lambda"), 12, sleeper);
    const ContainerSpec specB = makeImageSpec(QStringLiteral("mu"), 13, sleeper);
    const QByteArray before = treeFingerprint(specA.imageDir);
    auto a = startTracked(specA);
    QVERIFY2(a, a ? "" : qPrintable(a.error().message));
    auto b = startTracked(specB);
    QVERIFY2(b, b ? "" : qPrintable(b.error().message));
    const auto mainA = m_runtime->mainPid(*a);
    const auto mainB = m_runtime->mainPid(*b);
    QVERIFY(mainA && mainB);

    QCOMPARE(runInside(*mainA, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                QStringLiteral("echo a > /etc/marker-a && echo a > /usr/bin/marker-a && "
                                               "rm /etc/issue.net && chmod 700 /opt")})
                 .exitCode,
             0);
    const Output seenByB = runInside(*mainB, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                              QStringLiteral("ls /etc/marker-a /usr/bin/marker-a 2>&1; "
                                                             "test -f /etc/issue.net && stat -c %a /opt")});
    QVERIFY2(seenByB.out.contains("No such file") && !seenByB.out.contains("\n/etc/marker-a") &&
                 seenByB.out.endsWith("755\n"),
             seenByB.out.constData());
    QCOMPARE(treeFingerprint(specA.imageDir), before);
    QVERIFY(QFileInfo::exists(specA.rootDir + QStringLiteral("/upper/etc/marker-a")));
    QVERIFY(!QFileInfo::exists(specB.rootDir + QStringLiteral("/upper/etc/marker-a")));
}

void TestNspawnImage::imageLayerIsResetByARebuild()
{
    REQUIRE_IMAGE();
    const ContainerSpec spec = makeImageSpec(
        QStringLiteral("nu"), 14, {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exec sleep 600")});
    auto first = startTracked(spec);
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    const auto oldMain = m_runtime->mainPid(*first);
    QVERIFY(oldMain);
    QCOMPARE(
        runInside(*oldMain, {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("echo x > /root/kept")})
            .exitCode,
        0);
    QVERIFY(m_runtime->kill(*first));

    // A restart keeps the layer ...
    auto second = startTracked(spec);
    QVERIFY2(second, second ? "" : qPrintable(second.error().message));
    QCOMPARE(runInside(*m_runtime->mainPid(*second), {QStringLiteral("cat"), QStringLiteral("/root/kept")}).out,
             QByteArray("x\n"));
    QVERIFY(m_runtime->kill(*second));

    // ... agent_update removes the root dir, and the next start is on a fresh layer.
    QVERIFY(QDir(spec.rootDir).removeRecursively());
    auto third = startTracked(spec);
    QVERIFY2(third, third ? "" : qPrintable(third.error().message));
    const Output gone = runInside(*m_runtime->mainPid(*third), {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                                                QStringLiteral("test -e /root/kept || echo gone")});
    QCOMPARE(gone.out, QByteArray("gone\n"));
    QVERIFY(m_runtime->kill(*third));

    // A host tree is not reused as a layer (nor a layer as a host tree): agent_update rebuilds it.
    ContainerSpec host = spec;
    host.imageDir.clear();
    const auto refused = m_runtime->prepare(host);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("was made for containers.root = \"image\"")),
             qPrintable(refused.error().message));
}

QTEST_GUILESS_MAIN(TestNspawnImage)
#include "tst_nspawnimage.moc"
