import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from outperform.core.masking import mask_id_number, mask_mobile
from outperform.core.validators import (
    USCC_ALPHABET,
    id_check_char,
    uscc_check_char,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)


def test_id_number_check_digit_worked_example():
    # GB 11643 example 11010519491231002X: Σ digit×weight =
    # 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167; 167 mod 11 = 2 → 'X'
    assert id_check_char("11010519491231002") == "X"
    validate_id_number("11010519491231002X")
    validate_id_number("11010519491231002x")  # lower-case x is accepted and upper-cased by callers


@pytest.mark.parametrize(
    "bad", ["110105194912310021", "1101051949123100", "11010519491331002X", "A1010519491231002X", ""]
)
def test_id_number_rejects_bad_values(bad):
    with pytest.raises(ValidationError):
        validate_id_number(bad)


def test_uscc_check_character_worked_example():
    # 91350100M000100Y4: codes 9,1,3,5,0,1,0,0,(M=21),0,0,0,1,0,0,(Y=30),4 with weights
    # 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28:
    # 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28; 31-28 = 3 → '3'
    assert uscc_check_char("91350100M000100Y4") == "3"
    validate_uscc("91350100M000100Y43")


@pytest.mark.parametrize("bad", ["91350100M000100Y44", "91350100M000100Y4", "91350100I000100Y43", ""])
def test_uscc_rejects_bad_values(bad):
    with pytest.raises(ValidationError):
        validate_uscc(bad)


@given(
    st.tuples(
        st.text(alphabet="0123456789", min_size=6, max_size=6),
        st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
    ).map(lambda parts: "91" + parts[0] + parts[1])
)
def test_uscc_any_body_with_its_check_char_validates_and_any_other_char_fails(body):
    good = uscc_check_char(body)
    validate_uscc(body + good)
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(good) + 1) % 31]
    with pytest.raises(ValidationError):
        validate_uscc(body + wrong)


def test_mobile():
    validate_mobile("13812345678")
    for bad in ("23812345678", "1381234567", "138123456789"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)


def test_masks_keep_first_three_and_last_four():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id_number("") == ""
