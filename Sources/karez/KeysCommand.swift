import ArgumentParser
import ZeroMQ

/// `karez keys`: CURVE key pairs for encrypted, authenticated connections.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate CurveZMQ key pairs.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new CURVE key pair as public=... and secret=... lines (Z85 text).")

        func run() throws {
            guard Context.hasCurve else {
                throw ValidationError("this libzmq was built without CURVE; install Debian's libzmq3-dev")
            }
            let pair = try CurveKeyPair.generate()
            print("public=\(pair.publicKey)")
            print("secret=\(pair.secretKey)")
        }
    }
}
