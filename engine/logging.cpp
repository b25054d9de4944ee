// SPDX-License-Identifier: MIT
#include "logging.h"

#include <QDateTime>
#include <QMutex>
#include <QMutexLocker>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#ifdef HIVE_HAVE_SYSTEMD
// We pass the location of the Qt message, not the location of the sd_journal_sendv call in this file.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#endif

namespace hive::engine {

namespace {

struct State {
    QMutex mutex;
    QByteArray identifier;
    int minimumRank = 1;
    bool journal = false;
};

State &state()
{
    static State instance;
    return instance;
}

// QtMsgType's numeric order is not its severity order (QtInfoMsg was added last, after QtFatalMsg).
int rank(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 0;
    case QtInfoMsg:
        return 1;
    case QtWarningMsg:
        return 2;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 4;
    }
    return 1;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void writeAll(const QByteArray &bytes)
{
    const char *data = bytes.constData();
    auto left = static_cast<std::size_t>(bytes.size());
    while (left > 0) {
        const ssize_t written = ::write(STDERR_FILENO, data, left);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return; // nowhere left to complain to
        data += written;
        left -= static_cast<std::size_t>(written);
    }
}

void writeStderr(QtMsgType type, const char *category, const QString &message)
{
    QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8();
    line += ' ';
    line += levelName(type);
    line += ' ';
    line += category;
    line += ": ";
    QByteArray text = message.toUtf8();
    text.replace('\n', QByteArrayLiteral("\n    "));
    line += text;
    line += '\n';
    writeAll(line);
}

#ifdef HIVE_HAVE_SYSTEMD
int syslogPriority(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 7; // LOG_DEBUG
    case QtInfoMsg:
        return 6; // LOG_INFO
    case QtWarningMsg:
        return 4; // LOG_WARNING
    case QtCriticalMsg:
        return 3; // LOG_ERR
    case QtFatalMsg:
        return 2; // LOG_CRIT
    }
    return 6;
}

void sendJournal(QtMsgType type, const QMessageLogContext &context, const char *category, const QString &message,
                 const QByteArray &identifier)
{
    // sd_journal_sendv rather than sd_journal_send: the CODE_* fields are present only when Qt has them.
    std::vector<QByteArray> fields;
    fields.push_back(QByteArrayLiteral("MESSAGE=") + message.toUtf8());
    fields.push_back(QByteArrayLiteral("PRIORITY=") + QByteArray::number(syslogPriority(type)));
    fields.push_back(QByteArrayLiteral("SYSLOG_IDENTIFIER=") + identifier);
    fields.push_back(QByteArrayLiteral("QT_CATEGORY=") + category);
    if (context.file)
        fields.push_back(QByteArrayLiteral("CODE_FILE=") + context.file);
    if (context.line > 0)
        fields.push_back(QByteArrayLiteral("CODE_LINE=") + QByteArray::number(context.line));
    if (context.function)
        fields.push_back(QByteArrayLiteral("CODE_FUNC=") + context.function);
    std::vector<iovec> vectors;
    vectors.reserve(fields.size());
    for (QByteArray &field : fields)
        vectors.push_back({field.data(), static_cast<std::size_t>(field.size())});
    if (sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size())) < 0)
        writeStderr(type, category, message);
}
#endif

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    State &s = state();
    // One lock around filter and output keeps lines from interleaving and install() from racing a message.
    const QMutexLocker locker(&s.mutex);
    if (type != QtFatalMsg && rank(type) < s.minimumRank)
        return;
    const char *category = context.category ? context.category : "default";
#ifdef HIVE_HAVE_SYSTEMD
    if (s.journal) {
        sendJournal(type, context, category, message, s.identifier);
        return;
    }
#endif
    writeStderr(type, category, message);
}

} // namespace

void Logging::install(const QString &identifier, QtMsgType minimum)
{
    State &s = state();
    {
        const QMutexLocker locker(&s.mutex);
        s.identifier = identifier.toUtf8();
        s.minimumRank = rank(minimum);
        s.journal = journaldAvailable();
    }
    qInstallMessageHandler(handleMessage);
}

bool Logging::journaldAvailable()
{
#ifdef HIVE_HAVE_SYSTEMD
    return stderrIsJournal();
#else
    return false;
#endif
}

bool Logging::stderrIsJournal()
{
    const QByteArray stream = qgetenv("JOURNAL_STREAM");
    const qsizetype colon = stream.indexOf(':');
    if (colon <= 0)
        return false;
    bool deviceOk = false;
    bool inodeOk = false;
    const qulonglong device = stream.left(colon).toULongLong(&deviceOk);
    const qulonglong inode = stream.mid(colon + 1).toULongLong(&inodeOk);
    struct stat info = {};
    if (!deviceOk || !inodeOk || ::fstat(STDERR_FILENO, &info) != 0)
        return false;
    return device == static_cast<qulonglong>(info.st_dev) && inode == static_cast<qulonglong>(info.st_ino);
}

QtMsgType Logging::parseLevel(const QString &level)
{
    if (level == QLatin1String("debug"))
        return QtDebugMsg;
    if (level == QLatin1String("warning"))
        return QtWarningMsg;
    if (level == QLatin1String("error"))
        return QtCriticalMsg;
    return QtInfoMsg;
}

} // namespace hive::engine
