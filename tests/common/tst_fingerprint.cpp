// SPDX-License-Identifier: MIT
#include "fingerprint.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using hive::certificateFingerprint;
using hive::normalizeFingerprint;

namespace {

const QString Canonical = QStringLiteral("01:23:45:67:89:AB:CD:EF:FE:DC:BA:98:76:54:32:10:"
                                         "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");

// Runs the openssl CLI in dir; returns its stdout, or fails the calling test.
QByteArray runOpenSsl(const QString &dir, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        qWarning().noquote() << "openssl" << arguments.join(QLatin1Char(' '))
                             << "failed:" << QString::fromLocal8Bit(process.readAllStandardError());
        return {};
    }
    return process.readAllStandardOutput();
}

} // namespace

class TestFingerprint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalize_data();
    void normalize();
    void nullCertificate();
    void matchesOpenSslCli();
};

void TestFingerprint::normalize_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected"); // empty: not a fingerprint

    const QString bare = QString(Canonical).remove(QLatin1Char(':'));
    QTest::newRow("canonical") << Canonical << Canonical;
    QTest::newRow("lowercase with colons") << Canonical.toLower() << Canonical;
    QTest::newRow("bare uppercase") << bare << Canonical;
    QTest::newRow("bare lowercase") << bare.toLower() << Canonical;
    QTest::newRow("SHA256: prefix") << QStringLiteral("SHA256:") + Canonical << Canonical;
    QTest::newRow("sha256: prefix, bare") << QStringLiteral("sha256:") + bare.toLower() << Canonical;
    QTest::newRow("surrounding white space") << QStringLiteral("  ") + Canonical + QStringLiteral("\n") << Canonical;
    QTest::newRow("mixed case") << QStringLiteral("aB") + Canonical.mid(2) << QStringLiteral("AB") + Canonical.mid(2);

    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("only prefix") << QStringLiteral("SHA256:") << QString();
    QTest::newRow("one byte short") << Canonical.left(Canonical.size() - 3) << QString();
    QTest::newRow("one byte long") << Canonical + QStringLiteral(":00") << QString();
    QTest::newRow("bare one digit short") << bare.left(63) << QString();
    QTest::newRow("bare one digit long") << bare + QStringLiteral("0") << QString();
    QTest::newRow("SHA-1 length") << Canonical.left(59) << QString();
    QTest::newRow("non-hex digit") << QStringLiteral("0G") + Canonical.mid(2) << QString();
    QTest::newRow("non-hex bare") << QStringLiteral("zz") + bare.mid(2) << QString();
    QTest::newRow("dash separators") << QString(Canonical).replace(QLatin1Char(':'), QLatin1Char('-')) << QString();
    QTest::newRow("misplaced colon") << QStringLiteral("012:") + Canonical.mid(4) << QString();
    QTest::newRow("other prefix") << QStringLiteral("MD5:") + Canonical << QString();
    QTest::newRow("inner space") << QStringLiteral("01 ") + Canonical.mid(3) << QString();
}

void TestFingerprint::normalize()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);

    const std::optional<QString> result = normalizeFingerprint(input);
    if (expected.isEmpty()) {
        QVERIFY2(!result.has_value(), qPrintable(result.value_or(QString())));
    } else {
        QVERIFY(result.has_value());
        QCOMPARE(*result, expected);
        // Canonical output is a fixed point.
        QCOMPARE(normalizeFingerprint(*result), result);
    }
}

void TestFingerprint::nullCertificate()
{
    QVERIFY(certificateFingerprint(QSslCertificate()).isEmpty());
}

void TestFingerprint::matchesOpenSslCli()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    runOpenSsl(dir.path(),
               {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                QStringLiteral("-subj"), QStringLiteral("/CN=t"), QStringLiteral("-keyout"), QStringLiteral("k"),
                QStringLiteral("-out"), QStringLiteral("c"), QStringLiteral("-days"), QStringLiteral("1")});
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("c"))));

    const QByteArray printed =
        runOpenSsl(dir.path(), {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                                QStringLiteral("-sha256"), QStringLiteral("-in"), QStringLiteral("c")});
    const QByteArray label("sha256 Fingerprint=");
    QVERIFY2(printed.startsWith(label), printed.constData());
    const QString expected = QString::fromLatin1(printed.mid(label.size()).trimmed());

    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(dir.filePath(QStringLiteral("c")));
    QCOMPARE(certificates.size(), 1);
    const QString fingerprint = certificateFingerprint(certificates.first());
    QCOMPARE(fingerprint, expected);
    QCOMPARE(fingerprint.size(), 95);
    QCOMPARE(normalizeFingerprint(fingerprint), std::optional<QString>(expected));
    QCOMPARE(normalizeFingerprint(QStringLiteral("SHA256:") + expected.toLower().remove(QLatin1Char(':'))),
             std::optional<QString>(expected));
}

QTEST_GUILESS_MAIN(TestFingerprint)
#include "tst_fingerprint.moc"
