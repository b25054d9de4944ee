// SPDX-License-Identifier: MIT
#include "fingerprint.h"
#include "testsupport.h"
#include "tls/certificatestore.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <sys/stat.h>
#include <unistd.h>

using hive::ErrorCode;
using hive::engine::CertificateStore;

namespace {

// Runs the openssl CLI in dir; returns its stdout, or an empty array (with a warning) on failure.
QByteArray runOpenSsl(const QString &dir, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        qWarning().noquote() << "openssl" << arguments.join(QLatin1Char(' '))
                             << "failed:" << QString::fromLocal8Bit(process.readAllStandardError());
        return {};
    }
    return process.readAllStandardOutput();
}

QStringList args(const char *line)
{
    return QString::fromLatin1(line).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QString cliFingerprint(const QString &certificatePath)
{
    const QByteArray printed =
        runOpenSsl(QDir::tempPath(), {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                                      QStringLiteral("-sha256"), QStringLiteral("-in"), certificatePath});
    const QByteArray label("sha256 Fingerprint=");
    return printed.startsWith(label) ? QString::fromLatin1(printed.mid(label.size()).trimmed()) : QString();
}

int fileMode(const QString &path)
{
    struct stat status = {};
    return ::stat(QFile::encodeName(path).constData(), &status) == 0 ? static_cast<int>(status.st_mode & 07777) : -1;
}

using hive::test::readFile;
using hive::test::writeFile;

// Every entry of dir (hidden ones too, so a left-over temp file shows) with its bytes and mode.
QMap<QString, QPair<QByteArray, int>> snapshot(const QString &dir)
{
    QMap<QString, QPair<QByteArray, int>> entries;
    const QDir directory(dir);
    const QStringList names =
        directory.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &name : names)
        entries.insert(name, {readFile(directory.filePath(name)), fileMode(directory.filePath(name))});
    return entries;
}

// Damages the base64 body of the first PEM block so it still looks like PEM but does not decode.
QByteArray damagedPem(const QByteArray &pem)
{
    QByteArray damaged = pem;
    const qsizetype bodyStart = damaged.indexOf('\n') + 1;
    for (qsizetype i = bodyStart + 10; i < bodyStart + 30; ++i)
        damaged[i] = '*';
    return damaged;
}

bool isRoot()
{
    return ::geteuid() == 0;
}

} // namespace

class TestCertificateStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void firstUseCreatesMaterial();
    void generatedCertificateContents();
    void secondCallLoadsSameMaterial();
    void exposedKeyWarns();
    void onlyOneFile_data();
    void onlyOneFile();
    void corruptMaterial_data();
    void corruptMaterial();
    void mismatchedKey();
    void loadFilesUserMaterial_data();
    void loadFilesUserMaterial();
    void loadFilesErrors_data();
    void loadFilesErrors();
    void expiredCertificate();
    void handshake_data();
    void handshake();

private:
    QString m_userDir; // openssl-made material shared by the loadFiles tests
    QTemporaryDir m_tempDir;
};

void TestCertificateStore::initTestCase()
{
    QVERIFY(m_tempDir.isValid());
    // One "generated a certificate" line per test function would drown the interesting output.
    QLoggingCategory::setFilterRules(QStringLiteral("hive.tls.info=false"));
    QVERIFY2(!runOpenSsl(QDir::tempPath(), {QStringLiteral("version")}).isEmpty(), "the openssl CLI is needed");
    m_userDir = m_tempDir.filePath(QStringLiteral("user"));
    QVERIFY(QDir().mkpath(m_userDir));
    // Each command with the file it writes.
    const QList<QPair<const char *, QString>> commands = {
        {"req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext subjectAltName=DNS:localhost "
         "-keyout rsa.key -out rsa.crt -days 2",
         QStringLiteral("rsa.crt")},
        {"req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
         "-addext subjectAltName=DNS:localhost -keyout ec.key -out ec.crt -days 2",
         QStringLiteral("ec.crt")},
        // "BEGIN EC PRIVATE KEY" rather than PKCS#8
        {"ec -in ec.key -out ec-traditional.key", QStringLiteral("ec-traditional.key")},
        {"pkey -in ec.key -aes256 -passout pass:secret -out ec-encrypted.key", QStringLiteral("ec-encrypted.key")},
        {"x509 -in ec.crt -outform der -out ec.der", QStringLiteral("ec.der")},
        {"req -new -key ec.key -subj /CN=expired -out expired.csr", QStringLiteral("expired.csr")},
        // -days -1 puts notAfter a day before notBefore (= now): expired, deterministically.
        {"x509 -req -in expired.csr -signkey ec.key -days -1 -out expired.crt", QStringLiteral("expired.crt")},
    };
    for (const auto &[command, output] : commands) {
        runOpenSsl(m_userDir, args(command));
        QVERIFY2(QFile::exists(QDir(m_userDir).filePath(output)), command);
    }
    // A chain file: the leaf followed by an unrelated certificate standing in for an intermediate.
    QVERIFY(writeFile(QDir(m_userDir).filePath(QStringLiteral("ec-chain.crt")),
                      readFile(QDir(m_userDir).filePath(QStringLiteral("ec.crt"))) +
                          readFile(QDir(m_userDir).filePath(QStringLiteral("rsa.crt")))));
}

void TestCertificateStore::firstUseCreatesMaterial()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const QString tlsDir = base.filePath(QStringLiteral("state/tls")); // parents do not exist yet either

    const auto material = CertificateStore::loadOrCreate(tlsDir);
    QVERIFY2(material, material ? "" : qPrintable(material.error().message));
    QVERIFY(material->generated);
    QCOMPARE(material->certificatePath, tlsDir + QStringLiteral("/engine.crt"));
    QCOMPARE(material->keyPath, tlsDir + QStringLiteral("/engine.key"));
    QCOMPARE(fileMode(tlsDir), 0700);
    QCOMPARE(fileMode(material->keyPath), 0600);
    QCOMPARE(snapshot(tlsDir).keys(), (QStringList{QStringLiteral("engine.crt"), QStringLiteral("engine.key")}));

    QVERIFY(!material->certificate.isNull());
    QVERIFY(!material->privateKey.isNull());
    QCOMPARE(material->privateKey.algorithm(), QSsl::Ec);
    QCOMPARE(material->privateKey.type(), QSsl::PrivateKey);
    QCOMPARE(material->privateKey.length(), 256);
    QCOMPARE(material->chain, QList<QSslCertificate>{material->certificate});
    QCOMPARE(material->fingerprint, hive::certificateFingerprint(material->certificate));
    QCOMPARE(material->fingerprint, cliFingerprint(material->certificatePath));
    QVERIFY(readFile(material->keyPath).startsWith("-----BEGIN PRIVATE KEY-----"));
}

void TestCertificateStore::generatedCertificateContents()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const auto material = CertificateStore::loadOrCreate(base.path());
    QVERIFY2(material, material ? "" : qPrintable(material.error().message));
    const QString crt = material->certificatePath;

    const QString text =
        QString::fromLatin1(runOpenSsl(base.path(), {QStringLiteral("x509"), QStringLiteral("-in"), crt,
                                                     QStringLiteral("-noout"), QStringLiteral("-text")}));
    const QStringList expectedLines = {
        QStringLiteral("Version: 3 (0x2)"),
        QStringLiteral("Signature Algorithm: ecdsa-with-SHA256"),
        QStringLiteral("Public Key Algorithm: id-ecPublicKey"),
        QStringLiteral("NIST CURVE: P-256"),
        QStringLiteral("CA:FALSE"),
        QStringLiteral("X509v3 Key Usage: critical"),
        QStringLiteral("Digital Signature"),
        QStringLiteral("TLS Web Server Authentication"),
        QStringLiteral("DNS:localhost"),
        QStringLiteral("IP Address:127.0.0.1"),
        QStringLiteral("IP Address:0:0:0:0:0:0:0:1"),
    };
    for (const QString &line : expectedLines)
        QVERIFY2(text.contains(line), qPrintable(line + QStringLiteral(" missing from:\n") + text));
    const QString hostName = QSysInfo::machineHostName();
    const QString aceHostName = QString::fromLatin1(QUrl::toAce(hostName));
    if (!aceHostName.isEmpty())
        QVERIFY2(text.contains(QStringLiteral("DNS:") + aceHostName), qPrintable(text));
    QCOMPARE(material->certificate.subjectInfo(QSslCertificate::CommonName),
             QStringList{hostName.isEmpty() ? QStringLiteral("localhost") : hostName});

    // Self-signed: issuer = subject, and the signature verifies with the certificate's own key.
    const QByteArray names =
        runOpenSsl(base.path(), {QStringLiteral("x509"), QStringLiteral("-in"), crt, QStringLiteral("-noout"),
                                 QStringLiteral("-issuer"), QStringLiteral("-subject"), QStringLiteral("-nameopt"),
                                 QStringLiteral("RFC2253")});
    const QList<QByteArray> nameLines = names.trimmed().split('\n');
    QCOMPARE(nameLines.size(), 2);
    QVERIFY(nameLines.at(0).startsWith("issuer=") && nameLines.at(1).startsWith("subject="));
    QCOMPARE(nameLines.at(0).mid(7), nameLines.at(1).mid(8));
    QCOMPARE(material->certificate.issuerDisplayName(), material->certificate.subjectDisplayName());
    const QByteArray verified =
        runOpenSsl(base.path(), {QStringLiteral("verify"), QStringLiteral("-CAfile"), crt, crt});
    QVERIFY2(verified.trimmed().endsWith(": OK"), verified.constData());

    // The key file holds a P-256 key too.
    const QByteArray keyText =
        runOpenSsl(base.path(), {QStringLiteral("pkey"), QStringLiteral("-in"), material->keyPath,
                                 QStringLiteral("-noout"), QStringLiteral("-text")});
    QVERIFY2(keyText.contains("NIST CURVE: P-256"), keyText.constData());

    // Serial: up to 16 random bytes (the top bit is cleared, so DER may drop a leading zero byte).
    const QByteArray serial = material->certificate.serialNumber();
    const qsizetype serialBytes = serial.split(':').size();
    QVERIFY2(serialBytes >= 14 && serialBytes <= 16, serial.constData());

    // Validity: from an hour ago (clock skew) to ten years ahead.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(qAbs(material->certificate.effectiveDate().secsTo(now.addSecs(-3600))) < 120);
    QVERIFY(qAbs(material->certificate.expiryDate().secsTo(now.addYears(10))) < 120);
}

void TestCertificateStore::secondCallLoadsSameMaterial()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const auto first = CertificateStore::loadOrCreate(base.path());
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    const auto before = snapshot(base.path());

    const auto second = CertificateStore::loadOrCreate(base.path());
    QVERIFY2(second, second ? "" : qPrintable(second.error().message));
    QVERIFY(!second->generated);
    QCOMPARE(second->fingerprint, first->fingerprint);
    QCOMPARE(second->certificate, first->certificate);
    QCOMPARE(second->privateKey.toDer(), first->privateKey.toDer());
    QCOMPARE(snapshot(base.path()), before);
}

void TestCertificateStore::exposedKeyWarns()
{
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const auto first = CertificateStore::loadOrCreate(base.path());
    QVERIFY(first);
    QVERIFY(QFile::setPermissions(first->keyPath,
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("engine.key is accessible to other users")));
    const auto second = CertificateStore::loadOrCreate(base.path());
    QVERIFY(second);
    QCOMPARE(fileMode(first->keyPath), 0644); // warned about, not silently changed
}

void TestCertificateStore::onlyOneFile_data()
{
    QTest::addColumn<QString>("removed");
    QTest::addColumn<QString>("kept");
    QTest::newRow("certificate only") << QStringLiteral("engine.key") << QStringLiteral("engine.crt");
    QTest::newRow("key only") << QStringLiteral("engine.crt") << QStringLiteral("engine.key");
}

void TestCertificateStore::onlyOneFile()
{
    QFETCH(QString, removed);
    QFETCH(QString, kept);
    QTemporaryDir base;
    QVERIFY(base.isValid());
    QVERIFY(CertificateStore::loadOrCreate(base.path()));
    QVERIFY(QFile::remove(base.filePath(removed)));
    const auto before = snapshot(base.path());

    const auto result = CertificateStore::loadOrCreate(base.path());
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::Tls);
    QVERIFY2(result.error().message.contains(base.filePath(kept)), qPrintable(result.error().message));
    QVERIFY2(result.error().message.contains(base.filePath(removed) + QStringLiteral(" is missing")),
             qPrintable(result.error().message));
    QCOMPARE(snapshot(base.path()), before);
}

void TestCertificateStore::corruptMaterial_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("damage"); // garbage, damaged, empty, directory, unreadable
    QTest::addColumn<QString>("expected");

    const QString crt = QStringLiteral("engine.crt");
    const QString key = QStringLiteral("engine.key");
    QTest::newRow("certificate: garbage") << crt << QStringLiteral("garbage") << QStringLiteral("is not in PEM format");
    QTest::newRow("certificate: damaged PEM") << crt << QStringLiteral("damaged") << QStringLiteral("is corrupt");
    QTest::newRow("certificate: empty") << crt << QStringLiteral("empty") << QStringLiteral("is not in PEM format");
    QTest::newRow("certificate: key inside")
        << crt << QStringLiteral("swapped") << QStringLiteral("contains no PEM certificate");
    QTest::newRow("certificate: directory") << crt << QStringLiteral("directory") << QStringLiteral("cannot read");
    QTest::newRow("key: garbage") << key << QStringLiteral("garbage") << QStringLiteral("is not in PEM format");
    QTest::newRow("key: damaged PEM") << key << QStringLiteral("damaged") << QStringLiteral("is corrupt");
    QTest::newRow("key: certificate inside")
        << key << QStringLiteral("swapped") << QStringLiteral("contains no PEM private key");
    if (!isRoot()) // root reads files whatever their mode
        QTest::newRow("key: unreadable") << key << QStringLiteral("unreadable") << QStringLiteral("cannot read");
}

void TestCertificateStore::corruptMaterial()
{
    QFETCH(QString, file);
    QFETCH(QString, damage);
    QFETCH(QString, expected);
    QTemporaryDir base;
    QVERIFY(base.isValid());
    QVERIFY(CertificateStore::loadOrCreate(base.path()));
    const QString path = base.filePath(file);
    const QString other = base.filePath(file == QStringLiteral("engine.crt") ? QStringLiteral("engine.key")
                                                                             : QStringLiteral("engine.crt"));

    if (damage == QStringLiteral("garbage")) {
        QVERIFY(writeFile(path, "this is not a certificate\n"));
    } else if (damage == QStringLiteral("damaged")) {
        QVERIFY(writeFile(path, damagedPem(readFile(path))));
    } else if (damage == QStringLiteral("empty")) {
        QVERIFY(writeFile(path, QByteArray()));
    } else if (damage == QStringLiteral("swapped")) {
        QVERIFY(writeFile(path, readFile(other)));
    } else if (damage == QStringLiteral("directory")) {
        QVERIFY(QFile::remove(path));
        QVERIFY(QDir().mkdir(path));
    } else if (damage == QStringLiteral("unreadable")) {
        QVERIFY(QFile::setPermissions(path, QFileDevice::Permissions()));
    }
    const auto before = snapshot(base.path());

    const auto result = CertificateStore::loadOrCreate(base.path());
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::Tls);
    QVERIFY2(result.error().message.contains(path), qPrintable(result.error().message));
    QVERIFY2(result.error().message.contains(expected), qPrintable(result.error().message));
    QCOMPARE(snapshot(base.path()), before);
}

void TestCertificateStore::mismatchedKey()
{
    QTemporaryDir first;
    QTemporaryDir second;
    QVERIFY(first.isValid() && second.isValid());
    QVERIFY(CertificateStore::loadOrCreate(first.path()));
    QVERIFY(CertificateStore::loadOrCreate(second.path()));
    const QString key = first.filePath(QStringLiteral("engine.key"));
    QVERIFY(writeFile(key, readFile(second.filePath(QStringLiteral("engine.key")))));
    const auto before = snapshot(first.path());

    const auto result = CertificateStore::loadOrCreate(first.path());
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::Tls);
    QVERIFY2(result.error().message.contains(key + QStringLiteral(" does not match the certificate ") +
                                             first.filePath(QStringLiteral("engine.crt"))),
             qPrintable(result.error().message));
    QCOMPARE(snapshot(first.path()), before);
}

void TestCertificateStore::loadFilesUserMaterial_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<int>("chainLength");
    QTest::newRow("RSA, PKCS#8") << QStringLiteral("rsa.crt") << QStringLiteral("rsa.key") << int(QSsl::Rsa) << 1;
    QTest::newRow("EC, PKCS#8") << QStringLiteral("ec.crt") << QStringLiteral("ec.key") << int(QSsl::Ec) << 1;
    QTest::newRow("EC, traditional key") << QStringLiteral("ec.crt") << QStringLiteral("ec-traditional.key")
                                         << int(QSsl::Ec) << 1;
    QTest::newRow("EC with chain") << QStringLiteral("ec-chain.crt") << QStringLiteral("ec.key") << int(QSsl::Ec) << 2;
}

void TestCertificateStore::loadFilesUserMaterial()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(int, algorithm);
    QFETCH(int, chainLength);
    const QDir dir(m_userDir);

    const auto material = CertificateStore::loadFiles(dir.filePath(certificate), dir.filePath(key));
    QVERIFY2(material, material ? "" : qPrintable(material.error().message));
    QVERIFY(!material->generated);
    QCOMPARE(int(material->privateKey.algorithm()), algorithm);
    QCOMPARE(material->chain.size(), chainLength);
    QCOMPARE(material->chain.first(), material->certificate);
    QCOMPARE(material->certificatePath, dir.filePath(certificate));
    QCOMPARE(material->keyPath, dir.filePath(key));
    // The fingerprint is the leaf's, which is what openssl prints for the first certificate of a file.
    QCOMPARE(material->fingerprint, cliFingerprint(dir.filePath(certificate)));
    if (chainLength == 2)
        QCOMPARE(material->chain.at(1), QSslCertificate::fromPath(dir.filePath(QStringLiteral("rsa.crt"))).first());
}

void TestCertificateStore::loadFilesErrors_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("named"); // the file the message must name
    QTest::addColumn<QString>("expected");

    QTest::newRow("missing certificate") << QStringLiteral("nope.crt") << QStringLiteral("ec.key")
                                         << QStringLiteral("nope.crt") << QStringLiteral("does not exist");
    QTest::newRow("missing key") << QStringLiteral("ec.crt") << QStringLiteral("nope.key") << QStringLiteral("nope.key")
                                 << QStringLiteral("does not exist");
    QTest::newRow("DER certificate") << QStringLiteral("ec.der") << QStringLiteral("ec.key") << QStringLiteral("ec.der")
                                     << QStringLiteral("is not in PEM format");
    QTest::newRow("key given as certificate")
        << QStringLiteral("ec.key") << QStringLiteral("ec.key") << QStringLiteral("ec.key")
        << QStringLiteral("contains no PEM certificate");
    QTest::newRow("encrypted key") << QStringLiteral("ec.crt") << QStringLiteral("ec-encrypted.key")
                                   << QStringLiteral("ec-encrypted.key") << QStringLiteral("passphrase");
    QTest::newRow("RSA key for EC certificate") << QStringLiteral("ec.crt") << QStringLiteral("rsa.key")
                                                << QStringLiteral("rsa.key") << QStringLiteral("does not match");
    QTest::newRow("EC key for RSA certificate") << QStringLiteral("rsa.crt") << QStringLiteral("ec.key")
                                                << QStringLiteral("rsa.crt") << QStringLiteral("does not match");
}

void TestCertificateStore::loadFilesErrors()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(QString, named);
    QFETCH(QString, expected);
    const QDir dir(m_userDir);

    const auto result = CertificateStore::loadFiles(dir.filePath(certificate), dir.filePath(key));
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::Tls);
    QVERIFY2(result.error().message.contains(dir.filePath(named)), qPrintable(result.error().message));
    QVERIFY2(result.error().message.contains(expected), qPrintable(result.error().message));
}

void TestCertificateStore::expiredCertificate()
{
    const QDir dir(m_userDir);
    const QString path = dir.filePath(QStringLiteral("expired.crt"));
    const QDateTime expiry = QSslCertificate::fromPath(path).first().expiryDate();
    QVERIFY(expiry < QDateTime::currentDateTimeUtc());

    const auto result = CertificateStore::loadFiles(path, dir.filePath(QStringLiteral("ec.key")));
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::Tls);
    QCOMPARE(result.error().message,
             QStringLiteral("TLS certificate %1 expired on %2").arg(path, expiry.toString(Qt::ISODate)));
}

void TestCertificateStore::handshake_data()
{
    QTest::addColumn<bool>("generated");
    QTest::newRow("generated EC material") << true;
    QTest::newRow("user RSA material") << false;
}

void TestCertificateStore::handshake()
{
    QFETCH(bool, generated);
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend");
    QTemporaryDir base;
    QVERIFY(base.isValid());
    const auto material = generated ? CertificateStore::loadOrCreate(base.path())
                                    : CertificateStore::loadFiles(QDir(m_userDir).filePath(QStringLiteral("rsa.crt")),
                                                                  QDir(m_userDir).filePath(QStringLiteral("rsa.key")));
    QVERIFY2(material, material ? "" : qPrintable(material.error().message));

    QSslServer server;
    QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
    serverConfig.setLocalCertificateChain(material->chain);
    serverConfig.setPrivateKey(material->privateKey);
    serverConfig.setProtocol(QSsl::TlsV1_2OrLater);
    serverConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
    server.setSslConfiguration(serverConfig);
    QSignalSpy serverErrors(&server, &QSslServer::errorOccurred);
    QVERIFY(server.listen(QHostAddress::LocalHost));

    // The client pins the fingerprint the way hive clients do: the chain is not trusted by any CA,
    // so the only errors allowed are those a self-signed or unknown-issuer certificate causes, and
    // they are ignored only for the expected certificate.
    QSslSocket client;
    QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
    clientConfig.setProtocol(QSsl::TlsV1_2OrLater);
    client.setSslConfiguration(clientConfig);
    QList<QSslError::SslError> seenErrors;
    connect(&client, &QSslSocket::sslErrors, this, [&](const QList<QSslError> &errors) {
        for (const QSslError &error : errors)
            seenErrors.append(error.error());
        if (hive::certificateFingerprint(client.peerCertificate()) == material->fingerprint)
            client.ignoreSslErrors();
    });
    QSignalSpy encrypted(&client, &QSslSocket::encrypted);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort(), QStringLiteral("localhost"));

    QTRY_VERIFY2(server.hasPendingConnections(), qPrintable(client.errorString()));
    QVERIFY(encrypted.size() == 1 || encrypted.wait(10000));
    QCOMPARE(serverErrors.size(), 0);
    QVERIFY(!seenErrors.isEmpty()); // the client did verify, and the pin let the handshake through
    for (QSslError::SslError error : std::as_const(seenErrors)) {
        QVERIFY2(error == QSslError::SelfSignedCertificate || error == QSslError::UnableToGetLocalIssuerCertificate ||
                     error == QSslError::CertificateUntrusted,
                 qPrintable(QSslError(error).errorString()));
    }

    QCOMPARE(hive::certificateFingerprint(client.peerCertificate()), material->fingerprint);
    QVERIFY(client.sessionProtocol() == QSsl::TlsV1_2 || client.sessionProtocol() == QSsl::TlsV1_3);

    // Bytes flow both ways, so the server really holds the private key for the certificate it sent.
    auto *accepted = qobject_cast<QSslSocket *>(server.nextPendingConnection());
    QVERIFY(accepted);
    QVERIFY(accepted->isEncrypted());
    QByteArray atServer;
    QByteArray atClient;
    client.write("ping");
    QTRY_COMPARE(atServer += accepted->readAll(), QByteArray("ping"));
    accepted->write("pong");
    QTRY_COMPARE(atClient += client.readAll(), QByteArray("pong"));
}

QTEST_GUILESS_MAIN(TestCertificateStore)
#include "tst_certificatestore.moc"
