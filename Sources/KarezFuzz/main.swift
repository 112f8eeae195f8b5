// SwiftPM links an executable target's entry point as `main` (on Linux: `--defsym
// main=KarezFuzz_main`), so this module cannot leave `main` to libFuzzer as a lone
// `-parse-as-library` file would; the entry point starts libFuzzer's driver instead, which
// reads the usual libFuzzer options and corpus folders from the command line and calls
// `LLVMFuzzerInitialize` and `LLVMFuzzerTestOneInput` (Entry.swift).

import Foundation

/// libFuzzer's driver (`int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const
/// uint8_t *, size_t))`, in libFuzzer since LLVM 11), linked in by `-sanitize=fuzzer`. Declared
/// with `@_silgen_name`: for three pointer arguments and an `int` result the Swift and C calling
/// conventions agree.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv, fuzzerTestOneInput))
