// The catalog's kernel enums (probes/kernel/enums.json, enums.h): constants bpftrace resolves
// as bare identifiers, with the values bpftrace 0.23 prints for them on the same kernel, and
// the selection rules (what bpftrace cannot resolve is absent).

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { kernelEnum, kernelEnumConstant, kernelEnums, kernelFunctions, kernelStruct, kernelStructDefinition, kernelStructNames, kernelTypeNames } from '../../src/probes/catalog.js';
import { kernelEnumConstant as checkerEnumConstant } from '../../src/check/kernel_enums.js';
import { catalogPath } from '../../src/probes/location.js';

describe('kernel enum constants', () => {
  // Values printed by `bpftrace -e 'BEGIN { printf("%d …", NAME, …) }'` (0.23, Linux 6.18.44).
  test.each([
    ['TCP_ESTABLISHED', 1n, '(unnamed TCP_ESTABLISHED)'],
    ['TCP_SYN_SENT', 2n, '(unnamed TCP_ESTABLISHED)'],
    ['TCP_FIN_WAIT1', 4n, '(unnamed TCP_ESTABLISHED)'],
    ['TCP_CLOSE', 7n, '(unnamed TCP_ESTABLISHED)'],
    ['TCP_LAST_ACK', 9n, '(unnamed TCP_ESTABLISHED)'],
    ['TCP_NEW_SYN_RECV', 12n, '(unnamed TCP_ESTABLISHED)'],
    ['TCPF_CLOSE', 128n, '(unnamed TCPF_ESTABLISHED)'],
    ['SKB_DROP_REASON_NOT_SPECIFIED', 2n, 'skb_drop_reason'],
    // 0xffff0000, sign-extended from 32 bits as clang hands it to bpftrace.
    ['SKB_DROP_REASON_SUBSYS_MASK', -65536n, 'skb_drop_reason'],
    ['IPPROTO_TCP', 6n, '(unnamed IPPROTO_IP)'],
    ['IPPROTO_UDP', 17n, '(unnamed IPPROTO_IP)'],
    ['SOCK_STREAM', 1n, 'sock_type'],
    ['SOCK_DGRAM', 2n, 'sock_type'],
    ['REQ_OP_WRITE', 1n, 'req_op'],
    ['BPF_ANY', 0n, '(unnamed BPF_ANY)'],
    ['BPF_MAP_TYPE_HASH', 1n, 'bpf_map_type'],
    ['TASK_COMM_LEN', 16n, '(unnamed TASK_COMM_LEN)'],
    ['NET_RX_SOFTIRQ', 3n, '(unnamed HI_SOFTIRQ)'],
    ['PERF_COUNT_SW_CPU_CLOCK', 0n, 'perf_sw_ids'],
    ['RPM_INVALID', -1n, 'rpm_status'],
  ] as const)('%s = %d (%s)', (name, value, enumName) => {
    expect(kernelEnumConstant(name)).toMatchObject({ value, enum: { name: enumName } });
    // The checker reads the same file through its own contract.
    expect(checkerEnumConstant(name)).toEqual({ value, enumName });
  });

  test.each([
    ['AF_INET', 'a #define, not an enumerator (tools define it themselves)'],
    ['TASK_RUNNING', 'a #define'],
    ['SS_CONNECTED', 'its enum is anonymous and only dumped inline with typedef socket_state'],
    ['PERF_CONTEXT_MAX', 'an ENUM64 enumerator'],
    ['BPF_F_CURRENT_CPU', 'an ENUM64 enumerator'],
  ])('%s does not resolve: %s', (name) => {
    expect(kernelEnumConstant(name)).toBeUndefined();
    expect(checkerEnumConstant(name)).toBeUndefined();
  });

  test('a selection, not the whole kernel (which has ~19,000 enumerators)', () => {
    const total = kernelEnums().reduce((n, e) => n + e.values.length, 0);
    expect(total).toBeGreaterThan(800);
    expect(total).toBeLessThan(2000);
  });

  test('enums keep declaration order, size and signedness', () => {
    const tcp = kernelEnum('(unnamed TCP_ESTABLISHED)')!;
    expect(tcp.anonymous).toBe(true);
    expect(tcp.values.map((v) => v.name).slice(0, 3)).toEqual(['TCP_ESTABLISHED', 'TCP_SYN_SENT', 'TCP_SYN_RECV']);
    expect(kernelEnum('enum rw_hint')).toMatchObject({ size: 1, signed: false, anonymous: false });
    expect(kernelEnum('rpm_status')).toMatchObject({ size: 4, signed: true });
    expect(kernelEnum('no_such_enum')).toBeUndefined();
  });

  test('every named enum of a catalogued struct field or function argument is there', () => {
    const named = new Set<string>();
    for (const key of kernelStructNames()) for (const f of kernelStruct(key)!.fields) if (f.type.base.startsWith('enum ')) named.add(f.type.base);
    for (const fn of kernelFunctions()) for (const t of [...fn.args.map((a) => a.type), fn.ret]) if (t.base.startsWith('enum ')) named.add(t.base);
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((n) => !kernelEnum(n))).toEqual([]);
  });

  test('the file keeps the checker contract: {"enums": {NAME: {"value", "enum"}}}', () => {
    const file = JSON.parse(readFileSync(catalogPath('kernel', 'enums.json'), 'utf8')) as { enums: Record<string, unknown>; types: Record<string, unknown> };
    for (const [name, c] of Object.entries(file.enums)) {
      expect(c, name).toEqual({ value: expect.any(Number), enum: expect.any(String) });
      expect(Object.hasOwn(file.types, (c as { enum: string }).enum), name).toBe(true);
    }
  });
});

describe('kernel enum definitions', () => {
  test('named enums are listed and defined as btf_dump prints them', () => {
    expect(kernelTypeNames()).toContain('enum tcp_ca_state');
    expect(kernelTypeNames()).toContain('enum skb_drop_reason');
    expect(kernelTypeNames().some((n) => n.includes('unnamed'))).toBe(false);
    expect(kernelStructDefinition('enum rpm_status')).toBe(
      'enum rpm_status {\n\tRPM_INVALID = -1,\n\tRPM_ACTIVE = 0,\n\tRPM_RESUMING = 1,\n\tRPM_SUSPENDED = 2,\n\tRPM_SUSPENDING = 3,\n\tRPM_BLOCKED = 4,\n};',
    );
    // One-byte enums keep their size with libbpf's mode attribute (as bpftrace 0.23 prints).
    expect(kernelStructDefinition('enum rw_hint')?.split('\n').at(-1)).toBe('} __attribute__((mode(byte)));');
    // Unsigned values print unsigned, as libbpf does.
    expect(kernelStructDefinition('enum skb_drop_reason')).toContain('\tSKB_DROP_REASON_SUBSYS_MASK = 4294901760,\n');
  });

  test('every named enum in enums.json has a definition', () => {
    const missing = kernelEnums().filter((e) => !e.anonymous && !kernelStructDefinition(`enum ${e.name}`));
    expect(missing.map((e) => e.name)).toEqual([]);
  });
});
