import ArgumentParser
import Foundation
import KarezWire
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
            abstract: "Write DIR/NAME.key (secret, mode 0600) and DIR/NAME.pub (public) in ZeroMQ's certificate format.",
            discussion: """
                Give a process its NAME.key with --curve-key; copy NAME.pub into the folder that allows \
                it (broker --producers, --workers, --operators; collector --senders), or pass it as \
                --server-key to its clients. pyzmq reads both files with zmq.auth.load_certificate.
                """)

        @Argument(help: "Name of the key (letters, digits, '.', '_', '-').")
        var name: String

        @Option(help: "Folder to write the two files to (created with mode 0700 if missing).")
        var dir = "."

        func run() throws {
            guard Context.hasCurve else { throw failure("karez keys", "this libzmq was built without CURVE; install Debian's libzmq3-dev") }
            do {
                let (secret, pub) = try CurveKeyFile.generate(name: name, directory: URL(fileURLWithPath: dir))
                let key = try CurveKeyFile.readPublicKey(pub.path)
                say("karez keys: wrote \(secret.path) (secret, keep it private) and \(pub.path) (public key \(key.z85))")
            } catch {
                throw failure("karez keys", error)
            }
        }
    }
}
