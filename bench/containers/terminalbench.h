// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"
#include "spawnbench.h"

#include <QString>
#include <QStringList>

namespace hive::bench {

class ContainerEngine;

/// terminal-relay: how fast `cat` of a large text file inside an agent's container reaches a
/// remote client through the engine's terminal (PTY → engine → TLS WebSocket binary frames →
/// TerminalChannel), against the same file through `ssh -tt root@127.0.0.1 cat FILE` to a private
/// sshd (Debian's openssh-server) on loopback: a PTY, encryption and a TCP connection on both
/// sides. Each side is timed from the first output byte to the last, so connection set-up is left
/// out of both; the bytes counted are what arrived (the PTY turns each \n into \r\n on both
/// sides). Rounds alternate; prints the medians as
///   bench: terminal-relay ours=<MB/s>MB/s anchor=<MB/s>MB/s ratio=<ours/anchor>
class TerminalBench
{
public:
    explicit TerminalBench(ContainerBenchSettings settings) : m_settings(std::move(settings)) {}

    /// Returns the exit code: 0, 1 when a measurement failed, 130 when interrupted.
    [[nodiscard]] int run();

    /// The file's size: large enough that a run takes a good part of a second on each side.
    static constexpr qint64 FileBytes = 128LL * 1024 * 1024;

private:
    struct Transfer {
        qint64 bytes = 0;
        double seconds = 0;
        [[nodiscard]] double megabytesPerSecond() const { return static_cast<double>(bytes) / 1e6 / seconds; }
    };
    [[nodiscard]] Result<Transfer> measureOurs(ContainerEngine &engine, const QString &token) const;
    [[nodiscard]] Result<Transfer> measureAnchor(const QStringList &ssh) const;

    ContainerBenchSettings m_settings;
};

} // namespace hive::bench
