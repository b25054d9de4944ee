// SPDX-License-Identifier: MIT
#include "certificatestore.h"

#include "fingerprint.h"
#include "privatefilewriter.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSysInfo>
#include <QUrl>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <array>
#include <ctime>
#include <memory>
#include <vector>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcTls, "hive.tls")

constexpr QLatin1String CertificateFileName("engine.crt");
constexpr QLatin1String KeyFileName("engine.key");
constexpr qint64 MaxPemBytes = qint64{1024} * 1024; // far above any real chain; keeps a wrong path from eating memory
constexpr int SerialBytes = 16;
constexpr int ValidityYears = 10;
constexpr qint64 BackdateSeconds = 3600; // tolerates clients whose clock is a little behind ours
constexpr mode_t CertificateFileMode = 0644;

template<auto Free>
struct OpenSslDeleter {
    template<typename T>
    void operator()(T *pointer) const
    {
        Free(pointer);
    }
};
template<typename T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<Free>>;

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using GeneralNamePtr = OpenSslPtr<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = OpenSslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;

struct OpenSslFree {
    void operator()(void *pointer) const { OPENSSL_free(pointer); }
};

// Reads and clears OpenSSL's thread-local error queue, so a stale entry never shows up in a later
// message. The oldest entry is the root cause (later ones are "nested asn1 error" and the like).
QString takeOpenSslError()
{
    QString reason;
    while (const unsigned long code = ERR_get_error()) {
        if (!reason.isEmpty())
            continue;
        if (const char *text = ERR_reason_error_string(code))
            reason = QString::fromLatin1(text);
        else
            reason = QStringLiteral("OpenSSL error %1").arg(code, 0, 16);
    }
    return reason.isEmpty() ? QStringLiteral("unknown OpenSSL error") : reason;
}

// True when the last failure was only "no more PEM blocks", i.e. the end of the input.
bool atEndOfPem()
{
    const unsigned long code = ERR_peek_last_error();
    return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
}

// OpenSSL's default passphrase callback prompts on the terminal, which would hang a service.
int refusePassphrase(char *, int, int, void *)
{
    return -1;
}

BioPtr memoryBio(const QByteArray &data)
{
    return BioPtr(BIO_new_mem_buf(data.constData(), static_cast<int>(data.size())));
}

QByteArray bioContents(BIO *bio)
{
    BUF_MEM *buffer = nullptr;
    BIO_get_mem_ptr(bio, &buffer);
    return buffer ? QByteArray(buffer->data, static_cast<qsizetype>(buffer->length)) : QByteArray();
}

// converter: the openssl subcommand that turns this kind of DER file into PEM, for the error message.
Result<QByteArray> readPemFile(const QString &what, const QString &path, QLatin1String converter)
{
    QFile file(path);
    if (!file.exists())
        return fail(ErrorCode::Tls, QStringLiteral("%1 %2 does not exist").arg(what, path));
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Tls, QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString()));
    if (file.size() > MaxPemBytes) {
        return fail(ErrorCode::Tls,
                    QStringLiteral("%1 %2 is too large for a PEM file (%3 bytes)").arg(what, path).arg(file.size()));
    }
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(ErrorCode::Tls, QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString()));
    if (!data.contains("-----BEGIN ")) {
        return fail(ErrorCode::Tls,
                    QStringLiteral("%1 %2 is not in PEM format (no -----BEGIN line); if it is DER, convert it with "
                                   "`openssl %3 -inform der -in %2 -out NEW`")
                        .arg(what, path, converter));
    }
    return data;
}

Result<std::vector<X509Ptr>> parseCertificates(const QByteArray &pem, const QString &path)
{
    ERR_clear_error();
    BioPtr bio = memoryBio(pem);
    std::vector<X509Ptr> certificates;
    while (X509Ptr certificate{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)})
        certificates.push_back(std::move(certificate));
    if (!atEndOfPem()) {
        return fail(ErrorCode::Tls, QStringLiteral("TLS certificate %1 is corrupt (certificate #%2: %3)")
                                        .arg(path)
                                        .arg(certificates.size() + 1)
                                        .arg(takeOpenSslError()));
    }
    ERR_clear_error();
    if (certificates.empty()) {
        return fail(
            ErrorCode::Tls,
            QStringLiteral("TLS certificate %1 contains no PEM certificate (-----BEGIN CERTIFICATE-----)").arg(path));
    }
    return certificates;
}

// OpenSSL 3's key decoders report every failure as just "unsupported", so the PEM layer is read
// first: it tells damaged base64, a missing key block and an encrypted key apart.
Result<void> checkKeyPem(const QByteArray &pem, const QString &path)
{
    ERR_clear_error();
    BioPtr bio = memoryBio(pem);
    for (;;) {
        char *rawName = nullptr;
        char *rawHeader = nullptr;
        unsigned char *data = nullptr;
        long length = 0;
        const int read = PEM_read_bio(bio.get(), &rawName, &rawHeader, &data, &length);
        const std::unique_ptr<char, OpenSslFree> name(rawName);
        const std::unique_ptr<char, OpenSslFree> header(rawHeader);
        OPENSSL_clear_free(data, static_cast<size_t>(length)); // key bytes; only the PEM framing matters here
        if (read != 1) {
            if (!atEndOfPem()) {
                return fail(ErrorCode::Tls,
                            QStringLiteral("TLS private key %1 is corrupt: %2").arg(path, takeOpenSslError()));
            }
            ERR_clear_error();
            return fail(ErrorCode::Tls,
                        QStringLiteral("TLS private key %1 contains no PEM private key (-----BEGIN PRIVATE KEY-----)")
                            .arg(path));
        }
        const QByteArray blockName(name.get());
        if (!blockName.endsWith("PRIVATE KEY"))
            continue; // e.g. the certificate, in a combined file
        if (blockName.startsWith("ENCRYPTED") || QByteArray(header.get()).contains("ENCRYPTED")) {
            return fail(ErrorCode::Tls, QStringLiteral("TLS private key %1 is protected by a passphrase, which the "
                                                       "engine cannot ask for; decrypt it with `openssl pkey -in %1 "
                                                       "-out NEW`")
                                            .arg(path));
        }
        return {};
    }
}

Result<PkeyPtr> parsePrivateKey(const QByteArray &pem, const QString &path)
{
    if (auto framing = checkKeyPem(pem, path); !framing)
        return fail(framing.error());
    ERR_clear_error();
    BioPtr bio = memoryBio(pem);
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr));
    if (!key) {
        ERR_clear_error();
        return fail(ErrorCode::Tls,
                    QStringLiteral("TLS private key %1 is corrupt: its PEM block holds no key that OpenSSL can read")
                        .arg(path));
    }
    if (!EVP_PKEY_is_a(key.get(), "EC") && !EVP_PKEY_is_a(key.get(), "RSA")) {
        const char *type = EVP_PKEY_get0_type_name(key.get());
        return fail(ErrorCode::Tls, QStringLiteral("TLS private key %1 is a %2 key; only EC and RSA keys are supported")
                                        .arg(path, type ? QString::fromLatin1(type) : QStringLiteral("unknown")));
    }
    return key;
}

// Empty on failure, with the reason in OpenSSL's error queue.
QByteArray toPem(X509 *certificate)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    return bio && PEM_write_bio_X509(bio.get(), certificate) == 1 ? bioContents(bio.get()) : QByteArray();
}

// Unencrypted PKCS#8. The secure-heap BIO keeps OpenSSL's copy out of freed memory; callers fill()
// the result with zeros once done with it.
QByteArray toPem(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_secmem()));
    return bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1
               ? bioContents(bio.get())
               : QByteArray();
}

QSslCertificate toQt(X509 *certificate)
{
    const QByteArray pem = toPem(certificate);
    return pem.isEmpty() ? QSslCertificate() : QSslCertificate(pem, QSsl::Pem);
}

// Qt gets the key as unencrypted PKCS#8 PEM, whatever form the file had, so Qt only ever parses a
// form OpenSSL has just produced.
QSslKey toQt(EVP_PKEY *key)
{
    QByteArray pem = toPem(key);
    if (pem.isEmpty())
        return {};
    const QSsl::KeyAlgorithm algorithm = EVP_PKEY_is_a(key, "EC") ? QSsl::Ec : QSsl::Rsa;
    QSslKey result(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
    pem.fill('\0');
    return result;
}

Result<TlsMaterial> loadMaterial(const QString &certificatePath, const QString &keyPath)
{
    auto certificatePem = readPemFile(QStringLiteral("TLS certificate"), certificatePath, QLatin1String("x509"));
    if (!certificatePem)
        return fail(certificatePem.error());
    auto keyPem = readPemFile(QStringLiteral("TLS private key"), keyPath, QLatin1String("pkey"));
    if (!keyPem)
        return fail(keyPem.error());
    auto certificates = parseCertificates(*certificatePem, certificatePath);
    if (!certificates)
        return fail(certificates.error());
    auto key = parsePrivateKey(*keyPem, keyPath);
    keyPem->fill('\0');
    if (!key)
        return fail(key.error());

    X509 *leaf = certificates->front().get();
    ERR_clear_error();
    if (X509_check_private_key(leaf, key->get()) != 1) {
        ERR_clear_error();
        return fail(ErrorCode::Tls, QStringLiteral("TLS private key %1 does not match the certificate %2 (the first "
                                                   "certificate in the file must be the one issued for this key)")
                                        .arg(keyPath, certificatePath));
    }

    TlsMaterial material;
    for (const X509Ptr &certificate : *certificates) {
        const QSslCertificate converted = toQt(certificate.get());
        if (converted.isNull()) {
            return fail(ErrorCode::Tls, QStringLiteral("TLS certificate %1: Qt cannot use certificate #%2")
                                            .arg(certificatePath)
                                            .arg(material.chain.size() + 1));
        }
        material.chain.append(converted);
    }
    material.certificate = material.chain.constFirst();
    material.privateKey = toQt(key->get());
    if (material.privateKey.isNull())
        return fail(ErrorCode::Tls, QStringLiteral("TLS private key %1: Qt cannot use this key").arg(keyPath));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (material.certificate.expiryDate() < now) {
        return fail(ErrorCode::Tls, QStringLiteral("TLS certificate %1 expired on %2")
                                        .arg(certificatePath, material.certificate.expiryDate().toString(Qt::ISODate)));
    }
    if (material.certificate.effectiveDate() > now) {
        return fail(ErrorCode::Tls,
                    QStringLiteral("TLS certificate %1 is not valid before %2 (is the system clock right?)")
                        .arg(certificatePath, material.certificate.effectiveDate().toString(Qt::ISODate)));
    }

    material.fingerprint = certificateFingerprint(material.certificate);
    material.certificatePath = certificatePath;
    material.keyPath = keyPath;
    return material;
}

// The first DNS label: a full host name may exceed the 64 characters X.509 allows in a CN.
QString commonName(const QString &hostName)
{
    return hostName.size() <= 64 ? hostName : hostName.section(QLatin1Char('.'), 0, 0).left(64);
}

bool addGeneralName(GENERAL_NAMES *names, int type, const char *value)
{
    GeneralNamePtr name(a2i_GENERAL_NAME(nullptr, nullptr, nullptr, type, value, 0));
    if (!name || sk_GENERAL_NAME_push(names, name.get()) == 0)
        return false;
    static_cast<void>(name.release()); // owned by the stack now
    return true;
}

bool addExtension(X509 *certificate, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

bool setSerial(X509 *certificate)
{
    std::array<unsigned char, SerialBytes> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return false;
    bytes[0] &= 0x7f; // RFC 5280 wants a positive serial of at most 20 octets; this keeps it at 16
    BignumPtr number(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    return number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)) != nullptr;
}

bool setValidity(X509 *certificate)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto notBefore = static_cast<time_t>(now.toSecsSinceEpoch() - BackdateSeconds);
    const auto notAfter = static_cast<time_t>(now.addYears(ValidityYears).toSecsSinceEpoch());
    return ASN1_TIME_set(X509_getm_notBefore(certificate), notBefore) != nullptr &&
           ASN1_TIME_set(X509_getm_notAfter(certificate), notAfter) != nullptr;
}

// Self-signed: the subject is also the issuer.
bool setNames(X509 *certificate, const QString &hostName)
{
    const QByteArray cn = commonName(hostName.isEmpty() ? QStringLiteral("localhost") : hostName).toUtf8();
    NamePtr name(X509_NAME_new());
    return name &&
           X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(cn.constData()),
                                      static_cast<int>(cn.size()), -1, 0) == 1 &&
           X509_set_subject_name(certificate, name.get()) == 1 && X509_set_issuer_name(certificate, name.get()) == 1;
}

// GENERAL_NAMEs are built directly rather than from a "DNS:a,DNS:b" config string, so an odd host
// name cannot inject extra entries.
bool addAltNames(X509 *certificate, const QString &hostName)
{
    // IDNA form, since SAN DNS names are IA5 (ASCII); an invalid host name yields an empty string.
    const QByteArray dnsHostName = QUrl::toAce(hostName);
    GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names || !addGeneralName(names.get(), GEN_DNS, "localhost"))
        return false;
    if (!dnsHostName.isEmpty() && dnsHostName.compare("localhost", Qt::CaseInsensitive) != 0 &&
        !addGeneralName(names.get(), GEN_DNS, dnsHostName.constData())) {
        return false;
    }
    return addGeneralName(names.get(), GEN_IPADD, "127.0.0.1") && addGeneralName(names.get(), GEN_IPADD, "::1") &&
           X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

Result<X509Ptr> createCertificate(EVP_PKEY *key)
{
    const QString hostName = QSysInfo::machineHostName();
    X509Ptr certificate(X509_new());
    const bool ok = certificate && X509_set_version(certificate.get(), X509_VERSION_3) == 1 &&
                    setSerial(certificate.get()) && setValidity(certificate.get()) &&
                    setNames(certificate.get(), hostName) && X509_set_pubkey(certificate.get(), key) == 1 &&
                    addAltNames(certificate.get(), hostName) &&
                    addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE") &&
                    addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature") &&
                    addExtension(certificate.get(), NID_ext_key_usage, "serverAuth") &&
                    X509_sign(certificate.get(), key, EVP_sha256()) > 0;
    if (!ok)
        return fail(ErrorCode::Tls, QStringLiteral("cannot create a TLS certificate: %1").arg(takeOpenSslError()));
    return certificate;
}

Result<void> createMaterial(const QString &directory, const QString &certificatePath, const QString &keyPath)
{
    if (auto made = PrivateFileWriter::ensurePrivateDir(directory); !made)
        return made;

    ERR_clear_error();
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
        return fail(ErrorCode::Tls, QStringLiteral("cannot generate an EC P-256 key: %1").arg(takeOpenSslError()));
    auto certificate = createCertificate(key.get());
    if (!certificate)
        return fail(certificate.error());
    QByteArray keyPem = toPem(key.get());
    const QByteArray certificatePem = toPem(certificate->get());
    if (keyPem.isEmpty() || certificatePem.isEmpty()) {
        keyPem.fill('\0');
        return fail(ErrorCode::Tls,
                    QStringLiteral("cannot encode the TLS key and certificate: %1").arg(takeOpenSslError()));
    }

    // Both files are written before either appears: a failed write (a full disk) leaves neither.
    PrivateFileWriter keyWriter(keyPath);
    PrivateFileWriter certificateWriter(certificatePath, CertificateFileMode);
    auto staged = keyWriter.stage(keyPem);
    keyPem.fill('\0');
    if (!staged)
        return staged;
    if (auto certificateStaged = certificateWriter.stage(certificatePem); !certificateStaged)
        return certificateStaged;

    // Key first: should the certificate fail to appear, the key is removed again, so a failed first
    // start leaves nothing that the next start would take for half-restored material.
    if (auto published = keyWriter.commit(); !published)
        return published;
    if (auto published = certificateWriter.commit(); !published) {
        QFile::remove(keyPath);
        return published;
    }
    return {};
}

void warnIfKeyExposed(const QString &keyPath)
{
    struct stat status = {};
    if (::stat(QFile::encodeName(keyPath).constData(), &status) == 0 && (status.st_mode & 077) != 0) {
        qCWarning(lcTls).noquote() << QStringLiteral("TLS private key %1 is accessible to other users (mode %2); "
                                                     "run chmod 600 on it")
                                          .arg(keyPath, QString::number(status.st_mode & 0777, 8));
    }
}

} // namespace

Result<TlsMaterial> CertificateStore::loadOrCreate(const QString &tlsDir)
{
    const QString directory = QDir::cleanPath(QFileInfo(tlsDir).absoluteFilePath());
    const QString certificatePath = directory + QLatin1Char('/') + CertificateFileName;
    const QString keyPath = directory + QLatin1Char('/') + KeyFileName;
    const bool haveCertificate = QFileInfo::exists(certificatePath);
    const bool haveKey = QFileInfo::exists(keyPath);

    if (haveCertificate != haveKey) {
        const QString &present = haveCertificate ? certificatePath : keyPath;
        const QString &missing = haveCertificate ? keyPath : certificatePath;
        return fail(ErrorCode::Tls,
                    QStringLiteral("found %1 but %2 is missing; restore %2, or delete %1 to have a new certificate "
                                   "and key generated (clients must then accept the new fingerprint)")
                        .arg(present, missing));
    }
    if (haveCertificate) {
        warnIfKeyExposed(keyPath);
        return loadMaterial(certificatePath, keyPath);
    }

    if (auto created = createMaterial(directory, certificatePath, keyPath); !created)
        return fail(created.error());
    auto material = loadMaterial(certificatePath, keyPath);
    if (!material)
        return fail(material.error().wrapped(QStringLiteral("the newly generated TLS material does not load")));
    material->generated = true;
    qCInfo(lcTls).noquote() << "generated a self-signed TLS certificate" << certificatePath << "with fingerprint"
                            << material->fingerprint;
    return material;
}

Result<TlsMaterial> CertificateStore::loadFiles(const QString &certificatePath, const QString &keyPath)
{
    return loadMaterial(QFileInfo(certificatePath).absoluteFilePath(), QFileInfo(keyPath).absoluteFilePath());
}

} // namespace hive::engine
