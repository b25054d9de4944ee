// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QObject>

#include <atomic>

namespace hive::harness {

/// Reads newline-delimited lines from a file descriptor (stdin) on a worker thread and hands
/// them to the thread that owns the receiving objects through queued signals. It lives on its own
/// QThread because a pipe gives no portable readiness notification that Qt's event loop can rely
/// on for stdin; the thread blocks in poll(2) on the fd and on a wake pipe, so stop() ends it at
/// once from any thread. A line longer than `maxLineBytes` is reported (with its length) and
/// skipped up to its newline, and reading goes on.
class StdinReader : public QObject
{
    Q_OBJECT
public:
    explicit StdinReader(int fd, qsizetype maxLineBytes, QObject *parent = nullptr);
    ~StdinReader() override;
    Q_DISABLE_COPY_MOVE(StdinReader)

    /// Thread-safe: makes run() return soon (it emits no `ended` then).
    void stop();

public Q_SLOTS:
    /// The read loop; returns at end of input, on a read error, or after stop().
    void run();

Q_SIGNALS:
    /// One line without its newline (a trailing carriage return is kept: JSON ignores it).
    void lineRead(const QByteArray &line);
    /// A line over the limit was skipped; `bytes` is how long it was.
    void lineTooLong(qsizetype bytes);
    /// End of input (`error` empty) or a read error (`error` says which); nothing follows.
    void ended(const QString &error);

private:
    /// Splits what is buffered into lines; keeps the incomplete rest.
    void drain(bool atEnd);

    int m_fd;
    qsizetype m_maxLineBytes;
    int m_wake[2] = {-1, -1};
    std::atomic<bool> m_stopping{false};
    QByteArray m_buffer;
    bool m_skipping = false; ///< inside an oversized line: drop bytes up to the next newline
    qsizetype m_skippedBytes = 0;
};

} // namespace hive::harness
