import KarezMetrics

extension BrokerCore {
    /// Starts the item counters from `counts`: the journal's lifetime counts, so a broker's
    /// snapshots stay cumulative over its data folder (``BrokerMetricsCheckpoint``).
    public func startCounts(from counts: LifetimeCounts) {
        for (kind, n) in counts.accepted { addCount(kind) { $0.accepted += n } }
        for (kind, n) in counts.done { addCount(kind) { $0.done += n } }
        for (kind, n) in counts.dead { addCount(kind) { $0.dead += n } }
        for (kind, n) in counts.expired { addCount(kind) { $0.expired += n } }
        for (kind, n) in counts.cancelled { addCount(kind) { $0.cancelled += n } }
    }

    /// The broker's metrics for a snapshot: counters per kind, queue gauges (with the age of
    /// each kind's oldest ready item at `now`, the signal autoscalers use), connected workers
    /// and the latency of each stage the broker sees (queued, dispatched, end to end).
    public func metrics(now: UInt64 = 0) -> MetricSet {
        var m = MetricSet()
        m.add("broker_refused_total", [:], Double(stats.refused))
        m.add("broker_duplicates_total", [:], Double(stats.duplicates))
        m.add("broker_busy_total", [:], Double(stats.busy))
        m.add("broker_dedup_evicted_total", [:], Double(stats.dedupEvicted))
        m.set("broker_dedup_ids", [:], Double(dedupCount))
        for (kind, k) in kinds {
            let l = ["kind": kind]
            m.add("items_accepted_total", l, Double(k.accepted))
            m.add("items_delivered_total", l, Double(k.delivered))
            m.add("items_redelivered_total", l, Double(k.redelivered))
            m.add("items_done_total", l, Double(k.done))
            m.add("items_failed_total", l, Double(k.failed))
            m.add("items_dead_lettered_total", l, Double(k.dead))
            m.add("items_expired_total", l, Double(k.expired))
            m.add("items_cancelled_total", l, Double(k.cancelled))
            m.merge(MetricKey("stage_seconds", ["kind": kind, "stage": "queued"]), k.queued)
            m.merge(MetricKey("stage_seconds", ["kind": kind, "stage": "dispatched"]), k.dispatched)
            m.merge(MetricKey("stage_seconds", ["kind": kind, "stage": "end_to_end"]), k.endToEnd)
        }
        for (kind, enqueued) in oldestReady() {
            m.set("queue_oldest_age_seconds", ["kind": kind], enqueued.map { Double(now - min(now, $0)) / 1000 } ?? 0)
        }
        for k in 0..<configuredKindCount {
            let l = ["kind": kindNames[k]]
            m.set("queue_scheduled_items", l, Double(scheduledCount[k]))
            m.set("kind_jobs_in_flight", l, Double(kindInFlight[k]))
            m.set("kind_paused", l, controls[k].paused ? 1 : 0)
            m.set("kind_concurrency_limit", l, Double(controls[k].concurrency))
            m.set("kind_rate_limit", l, controls[k].rate)
        }
        m.set("queue_items", [:], Double(queuedCount))
        m.set("queue_ready_items", [:], Double(readyCount))
        m.set("jobs_in_flight", [:], Double(inFlightCount))
        let workers = workerList
        m.set("workers_connected", [:], Double(workers.count))
        m.set("worker_credit", [:], Double(workers.reduce(0) { $0 + $1.credit }))
        for w in workers {
            m.set("worker_jobs_in_flight", ["worker": w.name], Double(w.inFlight))
        }
        return m
    }
}

extension BrokerCore.KindMetrics {
    mutating func recordDelivery(attempt: Int, enqueued: UInt64, now: UInt64) {
        delivered += 1
        if attempt > 1 { redelivered += 1 }
        queued.record(micros: (now &- min(now, enqueued)) * 1000)
    }

    mutating func recordDone(sent: UInt64, enqueued: UInt64, now: UInt64) {
        done += 1
        dispatched.record(micros: (now &- min(now, sent)) * 1000)
        endToEnd.record(micros: (now &- min(now, enqueued)) * 1000)
    }
}
