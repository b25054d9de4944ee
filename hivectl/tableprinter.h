// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QStringList>

class QTextStream;

namespace hive::ctl {

/// Left-aligned text columns separated by two spaces, sized to the widest cell, for the
/// human-readable output of hivectl. The last column is not padded, so long values (JSON
/// details, fingerprints) do not leave trailing blanks.
class TablePrinter
{
public:
    /// An empty header prints no header line (key/value listings).
    explicit TablePrinter(QStringList header = {});

    void addRow(QStringList cells);
    [[nodiscard]] bool isEmpty() const { return m_rows.isEmpty(); }
    [[nodiscard]] QString toString() const;
    void print(QTextStream &out) const;

    /// A point in time as hivectl shows it: local time to the second, "-" when unknown.
    [[nodiscard]] static QString timeCell(const QDateTime &time);

private:
    QStringList m_header;
    QList<QStringList> m_rows;
};

} // namespace hive::ctl
