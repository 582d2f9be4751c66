import { buttonColours, contrastRatio } from '../../../src/domain/branding';
import { PAGE_CSS } from '../../../src/page/assets/style';
import { accentCss } from '../../../src/page/brand';

const variable = (name: string) => new RegExp(`--${name}: (#[0-9a-f]{6})`).exec(PAGE_CSS)![1];

test('the payment page\'s footer text reads at 4.5:1 or more on the page background it sits on', () => {
  expect(/\.powered \{[^}]*color: var\(--footer-ink\)/.test(PAGE_CSS)).toBe(true);
  expect(contrastRatio(variable('footer-ink'), variable('bg'))).toBeGreaterThanOrEqual(4.5);
});

test.each(['#f7931a', '#fde047', '#ffffff', '#000000', '#1f4fd8', '#10b981', '#f3f4f6', '#777777', '#e0115f', '#3b82f6'])(
  'a merchant accent %s never recolours the footer, and its buttons\' text stays at 4.5:1 or more', (accent) => {
    const css = accentCss(accent);
    expect(css).not.toMatch(/powered|footer-ink|body|--bg/);
    const { fill, text } = buttonColours(accent);
    expect(contrastRatio(text, fill)).toBeGreaterThanOrEqual(4.5);
    expect(css).toContain(`--accent-fill: ${fill}; --accent-text: ${text};`);
  });

test('every accent\'s buttons read at 4.5:1 or more (a sweep of the colour cube)', () => {
  const steps = ['00', '33', '66', '77', '88', '99', 'cc', 'ff'];
  for (const r of steps) for (const g of steps) for (const b of steps) {
    const { fill, text } = buttonColours(`#${r}${g}${b}`);
    expect(contrastRatio(text, fill)).toBeGreaterThanOrEqual(4.5);
  }
});

test('a colour either white or near-black text reads on is kept as it is', () => {
  expect(buttonColours('#1f4fd8')).toEqual({ fill: '#1f4fd8', text: '#ffffff' });
  expect(buttonColours('#fde047')).toEqual({ fill: '#fde047', text: '#111827' });
  expect(buttonColours('#777777').fill).not.toBe('#777777');
});

test('without branding, the primary button\'s text reads at 4.5:1 or more on its fill', () => {
  expect(/\.button\.primary \{ background: var\(--accent-fill\);[^}]*color: var\(--accent-text\)/.test(PAGE_CSS)).toBe(true);
  expect(contrastRatio(variable('accent-text'), variable('accent-fill'))).toBeGreaterThanOrEqual(4.5);
});
