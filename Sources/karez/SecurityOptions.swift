import ArgumentParser
import KarezDomain
import Foundation
import KarezWire
import Logging
import ZeroMQ

/// CURVE flags of the broker (`karez broker`, `karez up`).
struct BrokerSecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This broker's secret key (NAME.key from karez keys generate): CURVE on front and back.", valueName: "file"))
    var curveKey: String?

    @Option(help: ArgumentHelp("Folder of *.pub keys allowed on the front endpoint (producers).", valueName: "dir"))
    var producers: String?

    @Option(help: ArgumentHelp("Folder of *.pub keys allowed on the back endpoint (workers).", valueName: "dir"))
    var workers: String?

    @Option(help: ArgumentHelp("Folder of *.pub keys allowed to run admin commands (karez dlq requeue/purge); they may also publish.", valueName: "dir"))
    var operators: String?

    @Option(help: ArgumentHelp("The collector's public key (its NAME.pub), to push metrics to it over CURVE with --curve-key.", valueName: "file"))
    var collectorKey: String?

    @Flag(help: "Allow binding an address other than loopback without CURVE (anyone who reaches it may publish, work and purge).")
    var insecure = false

    func validate() throws {
        if curveKey == nil, producers != nil || workers != nil || operators != nil || collectorKey != nil {
            throw ValidationError("--producers, --workers, --operators and --collector-key need --curve-key (this broker's secret key)")
        }
        if curveKey != nil, producers == nil, workers == nil, operators == nil {
            throw ValidationError("--curve-key without --producers, --workers or --operators would refuse every peer; give the folders of allowed *.pub keys")
        }
    }

    /// The access rules, or nil without CURVE. Reads and checks every key file.
    /// - Parameter inProcess: `karez up`: the broker's own key is allowed everywhere (its
    ///   workers use it), and the collector's intake takes snapshots from `--workers` keys.
    func access(inProcess: Bool = false) throws -> (access: CurveServerAccess, operators: KeyDirectory?)? {
        guard let curveKey else { return nil }
        try requireCurve()
        let pair = try CurveKeyFile.readKeyPair(curveKey)
        let producers = try producers.map(KeyDirectory.init(path:))
        let workers = try workers.map(KeyDirectory.init(path:))
        let operators = try operators.map(KeyDirectory.init(path:))
        let access = CurveServerAccess(keyPair: pair, allowed: [
            "front": [producers, operators].compactMap { $0 },
            "back": [workers].compactMap { $0 },
            "intake": [workers].compactMap { $0 },
        ], trusted: inProcess ? [pair.publicKey] : [], logger: Logger(label: "karez.broker.auth"))
        return (access, operators)
    }

    /// The broker's keys as a client of the collector, or nil for plain TCP.
    func collectorClientKeys() throws -> CurveClientKeys? {
        guard let curveKey, let collectorKey else { return nil }
        return CurveClientKeys(keyPair: try CurveKeyFile.readKeyPair(curveKey), serverKey: try CurveKeyFile.readPublicKey(collectorKey))
    }
}

/// CURVE flags of a client of the broker (`publish`, `worker`, `bench`, `dlq`).
struct ClientSecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This client's secret key (NAME.key from karez keys generate): connect over CURVE.", valueName: "file"))
    var curveKey: String?

    @Option(help: ArgumentHelp("The broker's public key (its NAME.pub); needed with --curve-key.", valueName: "file"))
    var serverKey: String?

    func validate() throws {
        if (curveKey == nil) != (serverKey == nil) {
            throw ValidationError("--curve-key and --server-key go together: this client's secret key and the broker's public key")
        }
    }

    /// The keys, or nil for plain TCP. Reads and checks both files.
    func keys() throws -> CurveClientKeys? {
        guard let curveKey, let serverKey else { return nil }
        try requireCurve()
        return try CurveClientKeys(keyFile: curveKey, serverKeyFile: serverKey)
    }
}

/// Refuses a listening endpoint reachable from other machines unless CURVE is on or the user
/// said `--insecure` (then one warning line).
func checkExposure(_ endpoints: [(flag: String, endpoint: String)], curve: Bool, insecure: Bool, who: String) throws {
    guard !curve else { return }
    let exposed = endpoints.filter { !EndpointAddress.isLoopback($0.endpoint) }
    guard !exposed.isEmpty else { return }
    let list = exposed.map { "\($0.flag) \($0.endpoint)" }.joined(separator: ", ")
    guard insecure else {
        throw failure(who, "\(list) listens beyond this machine without CURVE: anyone who reaches it could publish, take jobs or purge. Give --curve-key and key folders (see karez keys generate), bind 127.0.0.1, or pass --insecure")
    }
    warn("\(who): WARNING: \(list) listens beyond this machine without CURVE (--insecure): traffic is readable and unauthenticated")
}

private func requireCurve() throws {
    guard Context.hasCurve else { throw failure("karez", "this libzmq was built without CURVE; install Debian's libzmq3-dev") }
}

/// The pseudonymisation key of commands that handle patient records (`worker`, `up`, `check`).
struct PseudonymOptions: ParsableArguments {
    @Flag(help: "Use the published development pseudonymisation key when KAREZ_PSEUDONYM_KEY(_FILE) is not set: pseudonyms are then reversible (local trials only).")
    var devKey = false

    /// The key; with the development key, one warning line on standard error.
    func load(who: String) throws -> Pseudonymizer {
        let pseudonymizer: Pseudonymizer
        do { pseudonymizer = try Pseudonymizer.load(allowDevelopmentKey: devKey) } catch { throw failure(who, error) }
        if pseudonymizer.isDevelopmentKey {
            warn("\(who): WARNING: --dev-key: patient pseudonyms use the published development key and can be reversed; set KAREZ_PSEUDONYM_KEY_FILE for real data")
        }
        return pseudonymizer
    }
}
