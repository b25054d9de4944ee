// SPDX-License-Identifier: MIT
#include "errorcode.h"

#include <array>

namespace hive {

namespace {

struct ErrorCodeInfo {
    ErrorCode code;
    int jsonRpc;
    const char *name;
};

// The one mapping between our error kinds and JSON-RPC codes. -32768..-32000 is reserved by
// JSON-RPC; -32099..-32000 is the implementation-defined server range we use.
constexpr std::array ErrorTable{
    ErrorCodeInfo{ErrorCode::ParseError, -32700, "parse_error"},
    ErrorCodeInfo{ErrorCode::InvalidRequest, -32600, "invalid_request"},
    ErrorCodeInfo{ErrorCode::MethodNotFound, -32601, "method_not_found"},
    ErrorCodeInfo{ErrorCode::InvalidParams, -32602, "invalid_params"},
    ErrorCodeInfo{ErrorCode::Internal, -32603, "internal"},
    ErrorCodeInfo{ErrorCode::Unauthenticated, -32001, "unauthenticated"},
    ErrorCodeInfo{ErrorCode::Forbidden, -32002, "forbidden"},
    ErrorCodeInfo{ErrorCode::NotFound, -32003, "not_found"},
    ErrorCodeInfo{ErrorCode::AlreadyExists, -32004, "already_exists"},
    ErrorCodeInfo{ErrorCode::ResyncRequired, -32005, "resync_required"},
    ErrorCodeInfo{ErrorCode::ProtocolMismatch, -32006, "protocol_mismatch"},
    ErrorCodeInfo{ErrorCode::TooLarge, -32007, "too_large"},
    ErrorCodeInfo{ErrorCode::Unavailable, -32008, "unavailable"},
    ErrorCodeInfo{ErrorCode::Io, -32009, "io"},
    ErrorCodeInfo{ErrorCode::Config, -32010, "config"},
    ErrorCodeInfo{ErrorCode::Tls, -32011, "tls"},
    ErrorCodeInfo{ErrorCode::Conflict, -32012, "conflict"},
};

const ErrorCodeInfo &info(ErrorCode code)
{
    for (const auto &entry : ErrorTable) {
        if (entry.code == code)
            return entry;
    }
    return ErrorTable[4]; // unreachable: every enumerator is in the table (tst_errorcode checks)
}

} // namespace

int jsonRpcCode(ErrorCode code)
{
    return info(code).jsonRpc;
}

QString errorCodeName(ErrorCode code)
{
    return QString::fromLatin1(info(code).name);
}

ErrorCode errorCodeFromJsonRpc(int jsonRpcCode, const QString &kind)
{
    // The kind string is authoritative when the peer sent one we know; the code is the fallback
    // for peers (such as a generic JSON-RPC client or the agent CLI) that send only a code.
    for (const auto &entry : ErrorTable) {
        if (kind == QLatin1String(entry.name))
            return entry.code;
    }
    for (const auto &entry : ErrorTable) {
        if (entry.jsonRpc == jsonRpcCode)
            return entry.code;
    }
    return ErrorCode::Internal;
}

} // namespace hive
