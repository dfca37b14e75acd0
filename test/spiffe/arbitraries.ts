/**
 * fast-check generators for valid SPIFFE trust domains, paths and IDs.
 */
import fc from 'fast-check';

const trustDomainChars = 'abcdefghijklmnopqrstuvwxyz0123456789.-_'.split('');
const segmentChars = [...trustDomainChars, ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')];

/** A valid trust domain name. */
export const trustDomainArbitrary = fc.string({ unit: fc.constantFrom(...trustDomainChars), minLength: 1, maxLength: 40 });

/** A valid path segment: allowed characters, not `.` or `..`. */
const segmentArbitrary = fc
  .string({ unit: fc.constantFrom(...segmentChars), minLength: 1, maxLength: 12 })
  .filter((segment) => segment !== '.' && segment !== '..');

/** A valid SPIFFE ID path, possibly empty. */
export const pathArbitrary = fc.array(segmentArbitrary, { maxLength: 5 }).map((segments) => segments.map((segment) => `/${segment}`).join(''));

/** A valid parsed SPIFFE ID. */
export const spiffeIdArbitrary = fc.record({ trustDomain: trustDomainArbitrary, path: pathArbitrary });
