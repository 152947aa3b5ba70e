import os,glob,re,subprocess,sys
R='/tmp/helmdiff5/results'
RAND=re.compile(r'\b(randAlphaNum|randAlpha|randNumeric|randAscii|randInt|randBytes|genCA|genSelfSignedCert|genSignedCert|genPrivateKey|uuidv4|now|htpasswd|bcrypt|shuffle|genCAWithKey|genSignedCertWithKey|unixEpoch|dateInZone|date )\b')
def chartdir(id):
    return None
counts={}
rows=[]
for d in sorted(glob.glob(R+'/*')):
    for a in sorted(glob.glob(d+'/*.args')):
        v=os.path.basename(a)[:-5]
        r=lambda s: open(f'{d}/{v}.{s}',errors='replace').read()
        hrc,frc=r('h.rc').strip(),r('f.rc').strip()
        ho,fo,he,fe=r('h.out'),r('f.out'),r('h.err'),r('f.err')
        if hrc!='0' or frc!='0':
            if hrc!='0' and frc!='0':
                hl=[l for l in he.splitlines() if l.startswith('Error')][:1]
                fl=[l for l in fe.splitlines() if l.startswith('Error')][:1]
                cls='fail-alike' if hl==fl else 'fail-alike-msgdiff'
            elif hrc!='0': cls='fail-only-helm'
            else: cls='fail-only-ours'
        elif ho==fo:
            cls='identical' if he==fe else 'stderr-only'
        else:
            cls='different'
        counts[cls]=counts.get(cls,0)+1
        rows.append((cls,os.path.basename(d),v))
for k,v in sorted(counts.items()): print(k,v)
with open('/tmp/helmdiff5/classes.tsv','w') as f:
    for r in rows: f.write('\t'.join(r)+'\n')
