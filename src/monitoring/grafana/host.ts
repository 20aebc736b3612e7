// The host dashboard: CPU, memory, disk and network of the machines running the stack, from Node Exporter
// (job `node-exporter`, its `hostname` label set by the seed's relabel).
import type { DashboardSpec } from './panels.ts'
import { q } from './panels.ts'

const N = 'job="node-exporter",hostname=~"$hostname"'
const FS = `${N},fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|devtmpfs|autofs|fuse.*"`

export const host: DashboardSpec = {
  uid: 'flowscope-host',
  title: 'flowscope / Host',
  description: 'CPU, memory, disk and network of the hosts (Node Exporter).',
  tags: ['flowscope', 'host'],
  variables: [
    {
      name: 'hostname',
      label: 'Host',
      query: 'label_values(node_uname_info{job="node-exporter"}, hostname)',
      multi: true,
    },
  ],
  rows: [
    {
      title: 'Overview',
      panels: [
        {
          kind: 'stat',
          title: 'CPUs',
          queries: [q(`count by (hostname) (node_cpu_seconds_total{${N},mode="idle"})`, '{{hostname}}')],
          width: 6,
        },
        {
          kind: 'stat',
          title: 'CPU busy',
          queries: [
            q(
              `1 - avg by (hostname) (rate(node_cpu_seconds_total{${N},mode="idle"}[$__rate_interval]))`,
              '{{hostname}}',
            ),
          ],
          unit: 'percentunit',
          thresholds: [
            [0.7, 'yellow'],
            [0.9, 'red'],
          ],
          width: 6,
        },
        {
          kind: 'stat',
          title: 'Memory used',
          queries: [q(`1 - node_memory_MemAvailable_bytes{${N}} / node_memory_MemTotal_bytes{${N}}`, '{{hostname}}')],
          unit: 'percentunit',
          thresholds: [
            [0.8, 'yellow'],
            [0.95, 'red'],
          ],
          width: 6,
        },
        {
          kind: 'stat',
          title: 'Fullest filesystem',
          queries: [
            q(
              `max by (hostname) (1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}})`,
              '{{hostname}}',
            ),
          ],
          unit: 'percentunit',
          thresholds: [
            [0.8, 'yellow'],
            [0.9, 'red'],
          ],
          width: 6,
        },
      ],
    },
    {
      title: 'CPU and memory',
      panels: [
        {
          kind: 'timeseries',
          title: 'CPU usage by mode',
          queries: [
            q(
              `sum by (hostname, mode) (rate(node_cpu_seconds_total{${N},mode!="idle"}[$__rate_interval])) / on (hostname) group_left count by (hostname) (node_cpu_seconds_total{${N},mode="idle"})`,
              '{{hostname}} {{mode}}',
            ),
          ],
          unit: 'percentunit',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Load average',
          queries: [
            q(`node_load1{${N}}`, '1m {{hostname}}'),
            q(`node_load5{${N}}`, '5m {{hostname}}'),
            q(`node_load15{${N}}`, '15m {{hostname}}'),
          ],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Memory',
          queries: [
            q(`node_memory_MemTotal_bytes{${N}} - node_memory_MemAvailable_bytes{${N}}`, 'used {{hostname}}'),
            q(`node_memory_MemAvailable_bytes{${N}}`, 'available {{hostname}}'),
            q(`node_memory_MemTotal_bytes{${N}}`, 'total {{hostname}}'),
          ],
          unit: 'bytes',
          min: 0,
        },
      ],
    },
    {
      title: 'Disk',
      panels: [
        {
          kind: 'timeseries',
          title: 'Filesystem used',
          queries: [
            q(
              `1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}}`,
              '{{hostname}} {{mountpoint}}',
            ),
          ],
          unit: 'percentunit',
          min: 0,
          max: 1,
        },
        {
          kind: 'timeseries',
          title: 'Disk read / write',
          queries: [
            q(`sum by (hostname) (rate(node_disk_read_bytes_total{${N}}[$__rate_interval]))`, 'read {{hostname}}'),
            q(`sum by (hostname) (rate(node_disk_written_bytes_total{${N}}[$__rate_interval]))`, 'write {{hostname}}'),
          ],
          unit: 'Bps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Disk busy',
          queries: [
            q(`max by (hostname) (rate(node_disk_io_time_seconds_total{${N}}[$__rate_interval]))`, '{{hostname}}'),
          ],
          unit: 'percentunit',
          min: 0,
        },
      ],
    },
    {
      title: 'Network',
      panels: [
        {
          kind: 'timeseries',
          title: 'Network received',
          queries: [
            q(
              `sum by (hostname) (rate(node_network_receive_bytes_total{${N},device!="lo"}[$__rate_interval]))`,
              '{{hostname}}',
            ),
          ],
          unit: 'Bps',
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Network sent',
          queries: [
            q(
              `sum by (hostname) (rate(node_network_transmit_bytes_total{${N},device!="lo"}[$__rate_interval]))`,
              '{{hostname}}',
            ),
          ],
          unit: 'Bps',
          min: 0,
          width: 12,
        },
      ],
    },
  ],
}
