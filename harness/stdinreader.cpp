// SPDX-License-Identifier: MIT
#include "stdinreader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <poll.h>

namespace hive::harness {

namespace {
constexpr qsizetype ChunkBytes = qsizetype{64} * 1024;
}

StdinReader::StdinReader(int fd, qsizetype maxLineBytes, QObject *parent)
    : QObject(parent), m_fd(fd), m_maxLineBytes(maxLineBytes)
{
    if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0)
        m_wake[0] = m_wake[1] = -1; // stop() then only takes effect at the next input
}

StdinReader::~StdinReader()
{
    for (int fd : m_wake) {
        if (fd >= 0)
            ::close(fd);
    }
}

void StdinReader::stop()
{
    m_stopping = true;
    if (m_wake[1] >= 0) {
        const char byte = 1;
        (void)!::write(m_wake[1], &byte, 1);
    }
}

void StdinReader::run()
{
    QByteArray chunk(ChunkBytes, Qt::Uninitialized);
    while (!m_stopping) {
        pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
        const int ready = ::poll(fds, m_wake[0] >= 0 ? 2 : 1, -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            Q_EMIT ended(QStringLiteral("poll on stdin failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
            return;
        }
        if (m_stopping)
            return;
        if (fds[0].revents == 0)
            continue;
        const ssize_t got = ::read(m_fd, chunk.data(), static_cast<size_t>(chunk.size()));
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            Q_EMIT ended(QStringLiteral("reading stdin failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
            return;
        }
        if (got == 0) {
            drain(true);
            Q_EMIT ended(QString());
            return;
        }
        m_buffer.append(chunk.constData(), got);
        drain(false);
    }
}

void StdinReader::drain(bool atEnd)
{
    qsizetype start = 0;
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n', start);
        if (newline < 0)
            break;
        if (m_skipping) {
            Q_EMIT lineTooLong(m_skippedBytes + newline - start);
            m_skipping = false;
            m_skippedBytes = 0;
        } else if (newline - start > m_maxLineBytes) {
            Q_EMIT lineTooLong(newline - start);
        } else {
            Q_EMIT lineRead(m_buffer.mid(start, newline - start));
        }
        start = newline + 1;
    }
    m_buffer.remove(0, start);
    // An unfinished line past the limit is dropped as it comes, so memory stays bounded.
    if (m_buffer.size() > m_maxLineBytes) {
        m_skipping = true;
        m_skippedBytes += m_buffer.size();
        m_buffer.clear();
    }
    if (atEnd && !m_buffer.isEmpty() && !m_skipping) {
        Q_EMIT lineRead(m_buffer); // a last line without its newline still counts
        m_buffer.clear();
    }
    if (atEnd && m_skipping) {
        Q_EMIT lineTooLong(m_skippedBytes);
        m_skipping = false;
    }
}

} // namespace hive::harness
