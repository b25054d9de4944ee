// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

namespace hive::engine {

class Database;

/// Begins a transaction; rolls it back on destruction unless commit() succeeded. Transactions
/// do not nest: SQLite has one per connection, and the engine uses one connection per thread.
class Transaction
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    /// False when BEGIN itself failed; then error() says why and commit() fails too.
    [[nodiscard]] bool isActive() const { return m_active; }
    [[nodiscard]] const Error &beginError() const { return m_beginError; }

    [[nodiscard]] Result<void> commit();

private:
    Database &m_db;
    Error m_beginError;
    bool m_active = false;
};

} // namespace hive::engine
