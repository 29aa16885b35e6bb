import type { ReactNode } from 'react';

/**
 * A small, safe Markdown subset for task instructions: headings, paragraphs, lists, fenced code,
 * inline code, bold and links. Everything becomes React elements (no HTML injection).
 */
export function Markdown({ text }: { text: string }) {
  const blocks: ReactNode[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (line.trim().startsWith('```')) {
      const code: string[] = [];
      index += 1;
      while (index < lines.length && !lines[index]!.trim().startsWith('```')) code.push(lines[index++]!);
      index += 1;
      blocks.push(
        <pre key={blocks.length}>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + 2);
      const Tag = `h${level}` as 'h3';
      blocks.push(<Tag key={blocks.length}>{inline(heading[2]!)}</Tag>);
      index += 1;
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (index < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[index]!)) {
        items.push(lines[index]!.replace(/^\s*([-*]|\d+\.)\s+/, ''));
        index += 1;
        while (
          index < lines.length &&
          /^\s{2,}\S/.test(lines[index]!) &&
          !/^\s*([-*]|\d+\.)\s+/.test(lines[index]!)
        )
          items[items.length - 1] += ` ${lines[index++]!.trim()}`;
      }
      const List = ordered ? 'ol' : 'ul';
      blocks.push(
        <List key={blocks.length}>
          {items.map((item, position) => (
            <li key={position}>{inline(item)}</li>
          ))}
        </List>,
      );
      continue;
    }
    if (line.trim() === '') {
      index += 1;
      continue;
    }
    const paragraph: string[] = [];
    while (
      index < lines.length &&
      lines[index]!.trim() !== '' &&
      !/^(#{1,4})\s|^\s*```|^\s*([-*]|\d+\.)\s+/.test(lines[index]!)
    )
      paragraph.push(lines[index++]!.trim());
    blocks.push(<p key={blocks.length}>{inline(paragraph.join(' '))}</p>);
  }
  return <div className="markdown">{blocks}</div>;
}

/** Inline Markdown only (code, bold, links), e.g. for quiz prompts. */
export function InlineMarkdown({ text }: { text: string }) {
  return <>{inline(text)}</>;
}

function inline(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g;
  let last = 0;
  for (const found of text.matchAll(pattern)) {
    if (found.index > last) parts.push(text.slice(last, found.index));
    if (found[1] !== undefined) parts.push(<code key={found.index}>{found[1]}</code>);
    else if (found[2] !== undefined) parts.push(<strong key={found.index}>{found[2]}</strong>);
    else
      parts.push(
        <a key={found.index} href={found[4]} target="_blank" rel="noreferrer">
          {found[3]}
        </a>,
      );
    last = found.index + found[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
