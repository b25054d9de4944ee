// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QString>

#include <functional>
#include <memory>

class QLockFile;
class QProcess;

namespace hive::engine {

/// The base image of `containers.root = "image"`: a minimal Debian tree, built once with
/// `debootstrap --variant=minbase SUITE DIR.tmp MIRROR` and then renamed to DIR, so that a build
/// that is killed never leaves a half image behind (the next build removes the stale DIR.tmp).
/// NspawnRuntime shares it read-only between every agent's container. debootstrap runs in a mount
/// namespace of its own, so that the proc and sys mounts it makes in the tree die with it.
class BaseImage
{
public:
    struct Settings {
        QString dir; ///< the finished image; empty: containers use the host's /usr (root = "host")
        QString suite = QStringLiteral("bookworm");
        QString mirror = QStringLiteral("http://deb.debian.org/debian");
        QString debootstrapPath; ///< empty: debootstrap from PATH, else /usr/sbin
    };
    using Done = std::function<void(const Result<void> &)>;
    using Output = std::function<void(const QString &line)>;

    explicit BaseImage(Settings settings);
    ~BaseImage(); ///< kills a build that still runs

    /// Whether the image at `dir` is complete: only a finished build is renamed to it.
    [[nodiscard]] static bool exists(const QString &dir);
    [[nodiscard]] const Settings &settings() const { return m_settings; }
    /// Whether a build can run here; the error says exactly what is missing (root, debootstrap).
    [[nodiscard]] Result<void> buildable() const;
    /// Starts the build without blocking: `output` gets debootstrap's lines, `done` the result (with the end
    /// of debootstrap's output when it failed). Removes a stale DIR.tmp first.
    void build(Output output, Done done);
    [[nodiscard]] bool building() const { return m_process != nullptr; }

private:
    void finish(const Result<void> &result);

    Settings m_settings;
    std::unique_ptr<QProcess> m_process;
    std::unique_ptr<QLockFile> m_lock;
    QStringList m_tail;
    Done m_done;
};

} // namespace hive::engine
