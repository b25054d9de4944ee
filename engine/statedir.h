// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <memory>

namespace hive::engine {

/// The engine's state directory, held for the engine's lifetime: created 0700 (and tightened to
/// 0700 if it was looser), and locked so that a second engine on the same directory is refused.
/// The lock is a flock(2) on engine.lock, which the kernel releases when the process dies, so a
/// crash never leaves a stale lock behind.
class StateDir
{
public:
    ~StateDir();
    StateDir(const StateDir &) = delete;
    StateDir &operator=(const StateDir &) = delete;

    [[nodiscard]] static Result<std::unique_ptr<StateDir>> acquire(const QString &path);

    /// Creates the directory (0700) without locking it, e.g. for --print-fingerprint.
    [[nodiscard]] static Result<void> ensure(const QString &path);

    [[nodiscard]] const QString &path() const { return m_path; }
    [[nodiscard]] QString filePath(const QString &relative) const;
    /// A subdirectory, created 0700 if missing.
    [[nodiscard]] Result<QString> subdir(const QString &relative) const;

private:
    StateDir(QString path, int lockFd);

    QString m_path;
    int m_lockFd;
};

} // namespace hive::engine
