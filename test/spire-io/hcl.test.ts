import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { HclParseError, isHclParseError, parseHcl, parseHclDocument, type HclObject, type HclValue } from '../../src/spire/hcl.js';
import { formatHcl } from '../../src/spire/hcl-format.js';

// Server configuration from a federation case: labelled blocks, a profile block inside a
// federates_with block, and several items on one line with no separator.
const federatedServerConfig = `server {
  bind_address = "0.0.0.0"
  bind_port = "8081"
  data_dir = "/run/spire/data"
  trust_domain = "west.corp.test"
  federation {
    bundle_endpoint {
      address = "0.0.0.0"
      port = 8443
    }
    federates_with "east.corp.test" {
      bundle_endpoint_url = "https://spire-east.corp.test:8443"
      bundle_endpoint_profile "https_spiffe" {
        endpoint_spiffe_id = "spiffe://east.corp.test/spire/server"
      }
    }
  }
}
plugins {
  DataStore "sql" { plugin_data { database_type = "sqlite3" connection_string = "/run/spire/data/datastore.sqlite3" } }
  NodeAttestor "k8s_psat" { plugin_data { clusters = { "west" = { service_account_allow_list = ["spire:spire-agent"] } } } }
  KeyManager "disk" { plugin_data { keys_path = "/run/spire/data/keys.json" } }
}
`;

describe('parseHcl', () => {
  it('reads labelled and nested blocks', () => {
    const tree = parseHcl(federatedServerConfig);

    expect(tree).toEqual({
      server: {
        bind_address: '0.0.0.0',
        bind_port: '8081',
        data_dir: '/run/spire/data',
        trust_domain: 'west.corp.test',
        federation: {
          bundle_endpoint: { address: '0.0.0.0', port: 8443 },
          federates_with: {
            'east.corp.test': {
              bundle_endpoint_url: 'https://spire-east.corp.test:8443',
              bundle_endpoint_profile: { https_spiffe: { endpoint_spiffe_id: 'spiffe://east.corp.test/spire/server' } },
            },
          },
        },
      },
      plugins: {
        DataStore: { sql: { plugin_data: { database_type: 'sqlite3', connection_string: '/run/spire/data/datastore.sqlite3' } } },
        NodeAttestor: { k8s_psat: { plugin_data: { clusters: { west: { service_account_allow_list: ['spire:spire-agent'] } } } } },
        KeyManager: { disk: { plugin_data: { keys_path: '/run/spire/data/keys.json' } } },
      },
    });
  });

  it.each([
    { name: 'hash comment', text: 'a = 1 # note\nb = 2', expected: { a: 1, b: 2 } },
    { name: 'slash comment', text: 'a = 1 // note\nb = 2', expected: { a: 1, b: 2 } },
    { name: 'block comment across lines', text: 'a = 1 /* one\ntwo */ b = 2', expected: { a: 1, b: 2 } },
    { name: 'comma between items', text: 'x { a = 1, b = 2 }', expected: { x: { a: 1, b: 2 } } },
    { name: 'trailing comma in list', text: 'a = ["x", "y",]', expected: { a: ['x', 'y'] } },
    { name: 'empty block', text: 'plugin_data {}', expected: { plugin_data: {} } },
    { name: 'object assignment', text: 'a = { b = true }', expected: { a: { b: true } } },
    { name: 'numbers', text: 'a = -3\nb = 1.5\nc = 0x1F\nd = 1e3', expected: { a: -3, b: 1.5, c: 31, d: 1000 } },
    { name: 'string escapes', text: 'a = "q\\"\\\\\\n\\u00e9"', expected: { a: 'q"\\\n\u00e9' } },
    { name: 'interpolation kept literally', text: 'a = "${env.X}"', expected: { a: '${env.X}' } },
    { name: 'heredoc', text: 'a = <<EOF\nline one\n  line two\nEOF\n', expected: { a: 'line one\n  line two\n' } },
    { name: 'indented heredoc', text: 'a = <<-EOF\n    one\n      two\n    EOF\n', expected: { a: 'one\n  two\n' } },
    { name: 'two labels', text: 'a "b" "c" { d = 1 }', expected: { a: { b: { c: { d: 1 } } } } },
    { name: 'quoted key', text: '"a b" = 1', expected: { 'a b': 1 } },
    { name: 'proto key stays data', text: '"__proto__" = { a = 1 }', expected: JSON.parse('{"__proto__": {"a": 1}}') as HclObject },
    { name: 'JSON document', text: '{"agent": {"trust_domain": "x", "n": null, "l": [1, {"a": 2}]}}', expected: { agent: { trust_domain: 'x', n: null, l: [1, { a: 2 }] } } },
  ])('reads $name', ({ text, expected }) => {
    expect(parseHcl(text)).toEqual(expected);
  });

  it('merges repeated plugin types', () => {
    const text = 'plugins {\n  WorkloadAttestor "k8s" { plugin_data { skip_kubelet_verification = true } }\n  WorkloadAttestor "unix" { plugin_data {} }\n}';

    const tree = parseHcl(text);

    expect(tree).toEqual({
      plugins: { WorkloadAttestor: { k8s: { plugin_data: { skip_kubelet_verification: true } }, unix: { plugin_data: {} } } },
    });
    expect(Object.keys((tree.plugins as HclObject).WorkloadAttestor as HclObject)).toEqual(['k8s', 'unix']);
  });

  it('lists a key set twice', () => {
    const document = parseHclDocument('agent {\n  trust_domain = "a"\n  trust_domain = "b"\n}');

    expect(document.value).toEqual({ agent: { trust_domain: 'b' } });
    expect(document.duplicateKeys).toEqual(['agent.trust_domain']);
    expect(document.format).toBe('hcl');
  });

  it.each([
    { name: 'missing value', text: 'a = ', line: 1, column: 5, expected: 'a value (string, number, bool, list or object)' },
    { name: 'labels with assignment', text: 'a "b" = 1', line: 1, column: 7, expected: '"{" after block labels' },
    { name: 'unclosed block', text: 'a {\n  b = 1\n', line: 3, column: 1, expected: '"}"' },
    { name: 'newline in string', text: 'a = "x\n"', line: 1, column: 5, expected: 'a string closed by a double quote on the same line' },
    { name: 'unquoted duration', text: 'ttl = 1h', line: 1, column: 7, expected: 'a number (quote other values, for example "1h")' },
    { name: 'bare word value', text: 'a = yes', line: 1, column: 5, expected: 'a value (string, number, bool, list or object)' },
    { name: 'key without value', text: 'agent\n', line: 2, column: 1, expected: '"=" or "{"' },
    { name: 'list without commas', text: 'a = [1 2]', line: 1, column: 8, expected: '"]"' },
    { name: 'unclosed comment', text: 'a = 1 /* x', line: 1, column: 7, expected: 'a comment closed by "*/"' },
    { name: 'JSON missing value', text: '{"a": }', line: 1, column: 7, expected: 'a value (string, number, bool, list or object)' },
    { name: 'JSON trailing text', text: '{"a": 1} x', line: 1, column: 10, expected: 'end of input' },
  ])('rejects $name', ({ text, line, column, expected }) => {
    let caught: unknown;
    try {
      parseHcl(text);
    } catch (error) {
      caught = error;
    }

    expect(isHclParseError(caught)).toBe(true);
    const parseError = caught as HclParseError;
    expect(parseError.expected).toBe(expected);
    expect(parseError.line).toBe(line);
    expect(parseError.column).toBe(column);
  });

  it('names position in the message', () => {
    expect(() => parseHcl('agent {\n  trust_domain = \n}')).toThrow(
      'invalid SPIRE configuration at line 3, column 1: expected a value (string, number, bool, list or object), found "}"',
    );
  });
});

const keyArbitrary = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,8}$/), fc.string({ maxLength: 6 }));
const scalarArbitrary: fc.Arbitrary<HclValue> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
  fc.boolean(),
);
const { tree: treeArbitrary } = fc.letrec<{ tree: HclObject; value: HclValue }>((tie) => ({
  tree: fc.dictionary(keyArbitrary, tie('value'), { maxKeys: 4 }),
  value: fc.oneof({ depthSize: 'small' }, scalarArbitrary, fc.array(tie('value'), { maxLength: 3 }), tie('tree')),
}));

describe('parseHcl properties', () => {
  it('round-trips formatted trees', () => {
    fc.assert(
      fc.property(treeArbitrary, (tree) => {
        expect(parseHcl(formatHcl(tree))).toEqual(tree);
      }),
    );
  });

  it('throws only HclParseError on random text', () => {
    const textArbitrary = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.array(fc.constantFrom('a', '"b"', '=', '{', '}', '[', ']', ',', '1', '#', '/*', '*/', '<<EOF\n', 'EOF', '\n', ' ', ':', '"'), { maxLength: 30 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(textArbitrary, (text) => {
        try {
          parseHcl(text);
        } catch (error) {
          expect(isHclParseError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
