"""Plausible Chinese names, places and identifiers for demo data (all fictitious)."""

from __future__ import annotations

import datetime as dt
import random

from outperform.core.validators import USCC_ALPHABET, id_check_char, uscc_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强文婷雪梅海燕红梅鹏飞晓东欣怡"
    "子涵浩然宇轩梓萱俊杰佳怡思远一鸣雨桐嘉怡梦琪晨曦博文天佑若曦佳琪紫涵志远家豪子豪雅琴振宇立新春燕丹丹"
)
REGIONS = ("310101", "310104", "310115", "320102", "330106", "340102", "110105", "440305", "510107", "420106",
           "370102", "410105", "430104", "350203", "360102", "130102", "610113", "500103")
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157",
                   "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199")


def person_name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.6:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def id_number(rng: random.Random, gender: str) -> str:
    born = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(365 * 28))
    seq = rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)  # odd 17th digit = male
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def credit_code(rng: random.Random, region: str = "310000") -> str:
    body = "91" + region + "".join(rng.choice(USCC_ALPHABET[:10] + "ABCDEFGHJK") for _ in range(9))
    return body + uscc_check_char(body)
