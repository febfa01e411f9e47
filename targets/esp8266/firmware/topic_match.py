def topic_matches(f, t):
    if f.startswith("$share/"):
        f = f.split("/", 2)[2]
    f = f.split("/")
    t = t.split("/")
    if t[0][:1] == "$" and (f[0] == "+" or f[0] == "#"):
        return False
    for i in range(len(f)):
        if f[i] == "#":
            return True
        if i >= len(t) or (f[i] != "+" and f[i] != t[i]):
            return False
    return len(f) == len(t)
