// SPDX-License-Identifier: MIT
#pragma once

#include "errorcode.h"
#include "result.h"

#include <QTest>

namespace hive::test {

/// "kind: message", for failure output.
[[nodiscard]] inline QString describe(const Error &error)
{
    return QStringLiteral("%1: %2").arg(errorCodeName(error.code), error.message);
}

} // namespace hive::test

/// QVERIFY for a Result, printing the error when it failed.
#define VERIFY_OK(expression)                                                                                          \
    do {                                                                                                               \
        const auto &verified = (expression);                                                                           \
        QVERIFY2(verified, verified ? "" : qPrintable(hive::test::describe(verified.error())));                        \
    } while (false)

/// The Result failed with this error code, and its message contains `mention`.
#define VERIFY_FAILS(expression, errorCode, mention)                                                                   \
    do {                                                                                                               \
        const auto &refused = (expression);                                                                            \
        QVERIFY2(!refused, "accepted");                                                                                \
        QVERIFY2(refused.error().code == (errorCode), qPrintable(hive::test::describe(refused.error())));              \
        QVERIFY2(refused.error().message.contains(QStringLiteral(mention)),                                            \
                 qPrintable(hive::test::describe(refused.error())));                                                   \
    } while (false)
