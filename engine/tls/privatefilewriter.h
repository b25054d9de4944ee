// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <sys/types.h>

namespace hive::engine {

// Creates a file that must not exist yet, so that it is never seen half-written, never readable by
// others while it is written, and never replaces anything: the data goes to a temp file beside the
// target that mkostemp() creates 0600 from the first instant, is fsynced, and is then link()ed to the
// target name, which fails instead of replacing an existing file.
//
// Two steps, stage() and commit(), so that several files can be written before any of them appears
// (CertificateStore stages a key and its certificate, then publishes both back to back). The temp
// file never outlives the writer, whether or not commit() ran or succeeded.
class PrivateFileWriter
{
public:
    static constexpr mode_t PrivateFileMode = 0600;
    static constexpr mode_t PrivateDirMode = 0700;

    // mode: what the file gets before its first byte is written; only widen it for public data.
    explicit PrivateFileWriter(QString path, mode_t mode = PrivateFileMode);
    ~PrivateFileWriter();
    Q_DISABLE_COPY_MOVE(PrivateFileWriter)

    // Writes data to a new temp file in the target's directory and fsyncs it. Staging again replaces
    // the previous temp file.
    [[nodiscard]] Result<void> stage(const QByteArray &data);
    // Gives the staged file the target name and fsyncs the directory. Fails, leaving the existing
    // entry alone, when the target exists (even as a dangling symlink).
    [[nodiscard]] Result<void> commit();

    // stage() then commit(): path appears complete with mode, or not at all.
    [[nodiscard]] static Result<void> writeNew(const QString &path, const QByteArray &data,
                                               mode_t mode = PrivateFileMode);
    // Creates dir with exactly mode 0700 whatever the umask (missing parents get the default mode).
    // An existing directory is accepted as it is; anything else at that path is an error.
    [[nodiscard]] static Result<void> ensurePrivateDir(const QString &dir);

private:
    void removeTemp();

    QString m_path;
    mode_t m_mode;
    QByteArray m_tempPath; // native encoding; empty when no temp file exists
};

} // namespace hive::engine
