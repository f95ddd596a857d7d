import { sign, signBaseString, signsEqual, verifySign, withSign } from '../../common/sign';

describe('the WeChat Pay v2 MD5 sign rule', () => {
  const vectorFields = {
    appid: 'wxd930ea5d5a258f4f',
    mch_id: '10000100',
    device_info: '1000',
    body: 'test',
    nonce_str: 'ibuaiVcKdpRxkhJA',
  };
  const vectorKey = '192006250b4c09247ec02edce69f6a2d';

  it('reproduces the published WeChat Pay test vector', () => {
    expect(signBaseString(vectorFields)).toBe(
      'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA',
    );
    expect(sign(vectorFields, vectorKey)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('drops sign and empty values, sorts by ASCII (upper case first) and keeps values raw', () => {
    expect(
      signBaseString({ b: 'x y&z', a: '中文', sign: 'ABC', empty: '', nil: null, undef: undefined, Z: 0, zero: 0 }),
    ).toBe('Z=0&a=中文&b=x y&z&zero=0');
  });

  it('hashes UTF-8 bytes and writes upper-case hex', () => {
    expect(sign({ body: '会员月卡' }, 'k')).toMatch(/^[0-9A-F]{32}$/);
    expect(sign({ body: '会员月卡' }, 'k')).not.toBe(sign({ body: '会员年卡' }, 'k'));
  });

  it('verifies every received field, including ones it does not know', () => {
    const signed = withSign({ ...vectorFields, future_field: 'v2' }, vectorKey);
    expect(verifySign(signed, vectorKey)).toBe(true);
    expect(verifySign({ ...signed, future_field: 'v3' }, vectorKey)).toBe(false);
    expect(verifySign({ ...signed, extra: '1' }, vectorKey)).toBe(false);
    expect(verifySign(signed, 'another key')).toBe(false);
    expect(verifySign({ ...signed, sign: signed.sign.toLowerCase() }, vectorKey)).toBe(true);
    expect(verifySign({ ...signed, sign: 'short' }, vectorKey)).toBe(false);
    expect(verifySign({ ...vectorFields }, vectorKey)).toBe(false);
  });

  it('a number signs like its text, so JSON and form bodies verify the same', () => {
    expect(sign({ total_fee: 1990 }, 'k')).toBe(sign({ total_fee: '1990' }, 'k'));
  });

  it('withSign removes empty values so both sides sign the same set', () => {
    const signed = withSign({ a: '1', attach: '', body: undefined }, 'k');
    expect(Object.keys(signed).sort()).toEqual(['a', 'sign']);
  });

  it('compares signs in constant time without throwing on different lengths', () => {
    expect(signsEqual('ABCDEF', 'ABCDEF')).toBe(true);
    expect(signsEqual('ABCDEF', 'ABCDEG')).toBe(false);
    expect(signsEqual('ABCDEF', 'ABC')).toBe(false);
  });
});
